# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#
# The layer check: cmake -DROOT=<tree> -P cmake/check_layers.cmake
#
# symgrad's sources sit in layer folders, src/<layer>/ with their public headers in
# include/symgrad/<layer>/, and a layer uses only the layers before it:
#
#   core < simplify < verify < text < program < compile < train < problem < cli, python
#
# (text comes after verify because the readers record the real domain of what is written,
# domain.hpp, and that record is decided with the simplifier's positivity rules.) Every
# #include of a symgrad header from a later layer is an error, naming the file, the line and
# both layers; so is the umbrella header symgrad/symgrad.hpp anywhere in src/ (code includes
# what it uses). The build runs this before it compiles anything (target symgrad_layer_check),
# and tests/layers/ shows that a wrong-way include fails it.

if(NOT DEFINED ROOT)
    message(FATAL_ERROR "check_layers.cmake: pass -DROOT=<source tree>")
endif()

set(layers core simplify verify text program compile train problem cli python)
# cli and python are both top layers: neither uses the other.
function(layer_rank layer out)
    if(layer STREQUAL "python")
        set(layer cli)
    endif()
    list(FIND layers "${layer}" rank)
    set(${out} ${rank} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${ROOT}"
     "${ROOT}/src/*.cpp" "${ROOT}/src/*.hpp" "${ROOT}/include/symgrad/*.hpp")
list(SORT files)
set(errors "")
set(count 0)
foreach(file IN LISTS files)
    # The layer of a file: the folder after src/ or include/symgrad/.
    if(file MATCHES "^src/([a-z_]+)/")
        set(own "${CMAKE_MATCH_1}")
    elseif(file MATCHES "^include/symgrad/([a-z_]+)/")
        set(own "${CMAKE_MATCH_1}")
    elseif(file STREQUAL "include/symgrad/symgrad.hpp")
        continue() # the umbrella header, for users of the library
    else()
        string(APPEND errors "${file}: not in a layer folder (src/<layer>/ or include/symgrad/<layer>/)\n")
        continue()
    endif()
    layer_rank("${own}" own_rank)
    if(own_rank LESS 0)
        string(APPEND errors "${file}: '${own}' is not a layer (${layers})\n")
        continue()
    endif()
    math(EXPR count "${count} + 1")
    file(STRINGS "${ROOT}/${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS lines)
        if(NOT line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
            continue()
        endif()
        set(target "${CMAKE_MATCH_1}")
        if(target STREQUAL "symgrad/symgrad.hpp" AND file MATCHES "^src/")
            string(APPEND errors "${file}: includes the umbrella header symgrad/symgrad.hpp; "
                                 "include the headers it uses\n")
            continue()
        endif()
        # A public header (symgrad/<layer>/x.hpp) or a layer's private one (<layer>/x.hpp).
        set(used "")
        if(target MATCHES "^symgrad/([a-z_]+)/")
            set(used "${CMAKE_MATCH_1}")
        elseif(target MATCHES "^([a-z_]+)/[^/]+$")
            set(used "${CMAKE_MATCH_1}")
        endif()
        if(used)
            layer_rank("${used}" used_rank)
            if(used_rank GREATER own_rank OR
               (used_rank EQUAL own_rank AND NOT used STREQUAL own))
                string(APPEND errors "${file}: includes \"${target}\": layer '${own}' may not "
                                     "use layer '${used}', which comes after it\n")
            endif()
        endif()
    endforeach()
endforeach()

if(errors)
    message(FATAL_ERROR "layer check: wrong-way dependencies\n${errors}"
                        "The layers, each using only those before it: ${layers}")
endif()
message(STATUS "layer check: ${count} files, every include runs down the layers")
