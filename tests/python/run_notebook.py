# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
"""Execute a notebook in a real Jupyter kernel (nbclient + ipykernel) and fail if any cell
raises. The kernel runs this very Python (sys.executable, Debian's /usr/bin/python3 under
CTest) and inherits PYTHONPATH, so the notebook imports the build tree's symgrad.

    python3 run_notebook.py NOTEBOOK.ipynb
"""
import os
import sys
import tempfile

import nbformat
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main(path):
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="symgrad-notebook-") as home:
        # A private kernelspec for this interpreter (the system's "python3" spec may name
        # another python3 on PATH), and private Jupyter and IPython directories.
        write_kernel_spec(path=os.path.join(home, "kernels", "symgrad-python3"))
        os.environ["JUPYTER_PATH"] = home
        os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(home, "runtime")
        os.environ["JUPYTER_DATA_DIR"] = os.path.join(home, "data")
        os.environ["IPYTHONDIR"] = os.path.join(home, "ipython")
        os.environ["SYMGRAD_CACHE_DIR"] = os.path.join(home, "symgrad-cache")  # not the user's
        os.environ.setdefault("MPLBACKEND", "Agg")
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel's debugger note
        client = NotebookClient(
            notebook,
            kernel_name="symgrad-python3",
            timeout=600,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        )
        try:
            client.execute()
            if os.environ.get("SYMGRAD_NOTEBOOK_OUTPUT"):
                nbformat.write(notebook, os.environ["SYMGRAD_NOTEBOOK_OUTPUT"])
        except CellExecutionError as e:
            print("%s: a cell failed:\n%s" % (path, e), file=sys.stderr)
            return 1
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    print("%s: %d code cells ran without errors" % (path, len(cells)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: run_notebook.py NOTEBOOK.ipynb", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
