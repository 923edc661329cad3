# symgrad: symbolic gradients for machine-learning losses.
# Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#
# The exception check: cmake -DROOT=<tree> -P cmake/check_exceptions.cmake
#
# Every exception symgrad throws is from the symgrad::error family (core/error.hpp), so that a
# caller catches all of them with one handler and the command maps each to exit status 2. This
# fails, naming the file and the line, on a `throw std::...` in src/ or include/symgrad/, and
# also when there is no source to check (a wrong ROOT must not pass). tests/exceptions/ shows
# that a std:: throw fails it.

cmake_minimum_required(VERSION 3.20)

if(NOT DEFINED ROOT)
    message(FATAL_ERROR "check_exceptions.cmake: pass -DROOT=<source tree>")
endif()

file(GLOB_RECURSE files RELATIVE "${ROOT}"
     "${ROOT}/src/*.cpp" "${ROOT}/src/*.hpp" "${ROOT}/include/symgrad/*.hpp")
list(SORT files)
list(LENGTH files count)
if(count EQUAL 0)
    message(FATAL_ERROR "exception check: no sources under ${ROOT}/src or ${ROOT}/include/symgrad")
endif()

set(errors "")
foreach(file IN LISTS files)
    file(STRINGS "${ROOT}/${file}" hits REGEX "throw[ \t]+std::")
    if(NOT hits)
        continue()
    endif()
    # Line numbers: the text before each match, counted in newlines.
    file(READ "${ROOT}/${file}" text)
    set(offset 0)
    while(TRUE)
        string(SUBSTRING "${text}" ${offset} -1 rest)
        string(REGEX MATCH "throw[ \t]+std::[A-Za-z_:]*" found "${rest}")
        if(NOT found)
            break()
        endif()
        string(FIND "${rest}" "${found}" at)
        math(EXPR end "${offset} + ${at}")
        string(SUBSTRING "${text}" 0 ${end} before)
        string(REGEX MATCHALL "\n" newlines "${before}")
        list(LENGTH newlines line)
        math(EXPR line "${line} + 1")
        string(APPEND errors "${file}:${line}: ${found}(...): throw a symgrad::error class instead\n")
        string(LENGTH "${found}" length)
        math(EXPR offset "${end} + ${length}")
    endwhile()
endforeach()

if(errors)
    message(FATAL_ERROR "exception check: exceptions from outside the symgrad::error family\n"
                        "${errors}")
endif()
message(STATUS "exception check: ${count} files, every throw is a symgrad::error")
