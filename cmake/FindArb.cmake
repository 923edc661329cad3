# FindArb: Arb ball arithmetic (Debian's libflint-arb-dev) and FLINT, as the imported target
# Arb::Arb. Debian ships no pkg-config file for either.
find_path(ARB_INCLUDE_DIR arb.h)
find_library(ARB_LIBRARY NAMES flint-arb arb)
find_library(FLINT_LIBRARY NAMES flint)
# Arb's inline functions call GMP and MPFR directly.
find_library(MPFR_LIBRARY NAMES mpfr)
find_library(GMP_LIBRARY NAMES gmp)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Arb REQUIRED_VARS ARB_LIBRARY FLINT_LIBRARY MPFR_LIBRARY GMP_LIBRARY
                                  ARB_INCLUDE_DIR)
if(Arb_FOUND AND NOT TARGET Arb::Arb)
    add_library(Arb::Arb INTERFACE IMPORTED)
    set_target_properties(Arb::Arb PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${ARB_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "${ARB_LIBRARY};${FLINT_LIBRARY};${MPFR_LIBRARY};${GMP_LIBRARY}")
endif()
mark_as_advanced(ARB_INCLUDE_DIR ARB_LIBRARY FLINT_LIBRARY MPFR_LIBRARY GMP_LIBRARY)
