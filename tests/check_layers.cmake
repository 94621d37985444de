# Checks that every include in src/ and include/simdlr/ points down the layer order of
# ARCHITECTURE.md (cpu < kernels, linalg < objective interface < objectives, solvers < models < io < umbrella
# header < cli):
#   cmake -DSOURCE_DIR=<repo> -P check_layers.cmake
# A file may include headers of its own folder and public headers (simdlr/...) of a lower rank.
# objectives/ and solvers/ share a rank: neither sees the other, they meet at the Objective
# interface. Private headers of another src/ folder ("../x/...") are off limits, except that the
# kernels read the CPU detection of cpu/. Exits with an error listing every violation.
cmake_minimum_required(VERSION 3.25)

set(rank_cpu 0)
set(rank_kernels 1)
set(rank_linalg 1)  # small dense systems in double; kernels and linalg do not see each other
set(rank_objective_interface 2)
set(rank_objectives 3)
set(rank_solvers 3)
set(rank_models 4)
set(rank_io 5)
set(rank_distributed 5)  # the optional MPI component: models below it, never io
set(rank_umbrella 6)  # simdlr.hpp: the whole library, for users and the command line
set(rank_cli 7)

# The layer of each public header.
set(public_errors.hpp base)
set(public_matrix.hpp base)
set(public_version.hpp base)
set(public_cpu.hpp kernels)
set(public_kernels.hpp kernels)
set(public_row_partition.hpp kernels)
set(public_linalg.hpp linalg)
set(public_objective.hpp objective_interface)
set(public_objectives.hpp objectives)
set(public_partitioned_objective.hpp objectives)
set(public_solvers.hpp solvers)
set(public_linear_regression.hpp models)
set(public_logistic_regression.hpp models)
set(public_metrics.hpp models)
set(public_model_selection.hpp models)
set(public_standardize.hpp models)
set(public_io.hpp io)
set(public_model_file.hpp io)
set(public_distributed.hpp distributed)
set(public_simdlr.hpp umbrella)
set(rank_base -1)

set(violations "")

# file: path to check; layer: its layer; folder: its src/ folder (empty for public headers).
function(check_file file layer folder)
  set(own_rank ${rank_${layer}})
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  file(RELATIVE_PATH shown ${SOURCE_DIR} ${file})
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" target "${line}")
    if(target MATCHES "^simdlr/(.+)$")
      set(header ${CMAKE_MATCH_1})
      if(header MATCHES "/")
        list(APPEND violations "${shown}: includes ${target}, not a public header")
        continue()
      endif()
      set(target_layer ${public_${header}})
      if(NOT target_layer)
        list(APPEND violations "${shown}: includes ${target}, a public header of no known layer")
        continue()
      endif()
      if(target_layer STREQUAL layer)
        continue()
      endif()
      if(NOT ${rank_${target_layer}} LESS ${own_rank})
        list(APPEND violations
             "${shown} (${layer}): includes ${target} (${target_layer}), which is not below it")
      endif()
    elseif(target MATCHES "^\\.\\./([^/]+)/")
      set(target_folder ${CMAKE_MATCH_1})
      if(NOT (folder STREQUAL "kernels" AND target_folder STREQUAL "cpu"))
        list(APPEND violations
             "${shown} (${layer}): includes ${target}, a private header of src/${target_folder}")
      endif()
    endif()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

file(GLOB folders LIST_DIRECTORIES true RELATIVE ${SOURCE_DIR}/src ${SOURCE_DIR}/src/*)
foreach(folder IN LISTS folders)
  if(NOT IS_DIRECTORY ${SOURCE_DIR}/src/${folder})
    continue()
  endif()
  if(NOT DEFINED rank_${folder})
    list(APPEND violations "src/${folder}: a folder of no known layer (add it to check_layers.cmake)")
    continue()
  endif()
  file(GLOB_RECURSE files ${SOURCE_DIR}/src/${folder}/*.hpp ${SOURCE_DIR}/src/${folder}/*.cpp
       ${SOURCE_DIR}/src/${folder}/*.h)
  foreach(file IN LISTS files)
    check_file(${file} ${folder} ${folder})
  endforeach()
endforeach()

file(GLOB headers RELATIVE ${SOURCE_DIR}/include/simdlr ${SOURCE_DIR}/include/simdlr/*.hpp)
foreach(header IN LISTS headers)
  set(layer ${public_${header}})
  if(NOT layer)
    list(APPEND violations "include/simdlr/${header}: a public header of no known layer")
    continue()
  endif()
  check_file(${SOURCE_DIR}/include/simdlr/${header} ${layer} "")
endforeach()

list(LENGTH violations count)
if(count GREATER 0)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "${count} include(s) against the layer order:\n  ${text}")
endif()
message(STATUS "layer order: every include in src/ and include/simdlr/ points down")
