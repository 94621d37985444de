# simdlr-mpi end to end:
#   cmake -DMPIRUN=mpirun -DNP_FLAG=-np -DSIMDLR_MPI=simdlr-mpi -DSIMDLR=simdlr -DWRITER=test_mpi_fit
#         -DWORK_DIR=dir -P run_mpi_cli_test.cmake
# 1. `fit --json` on one shared .npy file gives the same coef and intercept (bit for bit: the
#    JSON numbers round-trip) on 1, 2, 3 and 4 ranks, for logistic (binary and multinomial, float32
#    and float64; lbfgs, and auto = newton-cholesky with standardize) and linear fits (lbfgs, and
#    the default cholesky solver; l1 and elastic-net logistic, binary and multinomial, and the
#    lasso, each with a zero coefficient and its penalty in the model file); the model file is
#    written once, by rank 0.
#    They are also those of simdlr fit (the certificate runs over the ranks too),
#    with the same converged flag, iterations and certified bound.
# 2. per-rank shard files ('X-part-{rank}.npy') give the same answer as the shared file;
# 3. errors: a rank whose file is missing, shards off the chunk boundaries, a bad option:
#    every rank exits, mpirun with status 2, the one-line message printed once, no model file.
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${WRITER} --write-data ${WORK_DIR} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "writing the test data failed: ${rc}")
endif()

# Runs simdlr-mpi fit on `ranks` ranks with the remaining arguments; sets out, err and rc.
function(run_fit ranks)
  execute_process(
    COMMAND ${MPIRUN} --oversubscribe ${NP_FLAG} ${ranks} ${SIMDLR_MPI} fit ${ARGN}
    WORKING_DIRECTORY ${WORK_DIR}
    OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr RESULT_VARIABLE status TIMEOUT 120)
  set(out "${stdout}" PARENT_SCOPE)
  set(err "${stderr}" PARENT_SCOPE)
  set(rc "${status}" PARENT_SCOPE)
endfunction()

# The coef and intercept of a JSON report.
function(parameters_of json result)
  string(JSON coef GET "${json}" coef)
  string(JSON intercept GET "${json}" intercept)
  set(${result} "${coef} ${intercept}" PARENT_SCOPE)
endfunction()

set(cases
  "binary64|--x X.npy --y y.npy --solver lbfgs"
  "binary32|--x Xf.npy --y y.npy --solver lbfgs --class-weight balanced"
  "multinomial|--x X.npy --y yk.npy --solver lbfgs --threads 2"
  "ridge|--x X.npy --y yr.npy --task linear --solver lbfgs --alpha 0.5"
  "binary-auto|--x X.npy --y y.npy --standardize"
  "cholesky|--x Xf.npy --y yr.npy --task linear"
  "l1|--x X.npy --y y.npy --penalty l1 --C 0.05 --standardize"
  "l1-float32|--x Xf.npy --y y.npy --penalty l1 --C 0.02"
  "elasticnet-multinomial|--x X.npy --y yk.npy --penalty elasticnet --l1-ratio 0.7 --C 0.1"
  "lasso|--x X.npy --y yr.npy --task linear --penalty l1 --alpha 0.05")
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 args)
  separate_arguments(args UNIX_COMMAND "${args}")
  set(first "")
  foreach(ranks 1 2 3 4)
    file(REMOVE ${WORK_DIR}/m.json)
    run_fit(${ranks} ${args} --json --model m.json)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${name} on ${ranks} ranks: status ${rc}\n${err}")
    endif()
    # One JSON object: rank 0 alone prints.
    string(STRIP "${out}" out)
    string(REGEX MATCHALL "\n" lines "${out}")
    if(lines)
      message(FATAL_ERROR "${name} on ${ranks} ranks: more than one line of output:\n${out}")
    endif()
    foreach(key fit_seconds objective iterations converged isa threads coef intercept classes)
      string(JSON ignored ERROR_VARIABLE missing GET "${out}" ${key})
      if(missing)
        message(FATAL_ERROR "${name}: the JSON has no key ${key}: ${out}")
      endif()
    endforeach()
    if(NOT EXISTS ${WORK_DIR}/m.json)
      message(FATAL_ERROR "${name} on ${ranks} ranks: no model file")
    endif()
    # l1 and elastic net: the model file records the penalty, and the fit is sparse.
    if(name MATCHES "^(l1|elasticnet|lasso)")
      file(READ ${WORK_DIR}/m.json model)
      string(JSON penalty GET "${model}" options penalty)
      if(NOT penalty MATCHES "^(l1|elasticnet)$")
        message(FATAL_ERROR "${name}: the model file's penalty is '${penalty}'")
      endif()
      string(JSON coef GET "${out}" coef)
      if(NOT coef MATCHES "(^|[^0-9.])0(\\.0)?([^0-9.]|$)")
        message(FATAL_ERROR "${name}: no coefficient is zero: ${coef}")
      endif()
    endif()
    parameters_of("${out}" p)
    if(ranks EQUAL 1)
      set(first "${p}")
    elseif(NOT p STREQUAL first)
      message(FATAL_ERROR "${name}: ${ranks} ranks give\n${p}\n1 rank gave\n${first}")
    endif()
  endforeach()
  message(STATUS "${name}: the same coefficients on 1-4 ranks")
  if(name STREQUAL "binary64")
    set(binary64 "${first}")
  endif()
  # The distributed fit is simdlr fit's, bit for bit.
  if(NOT name STREQUAL "none")
    execute_process(COMMAND ${SIMDLR} fit ${args} --json WORKING_DIRECTORY ${WORK_DIR}
                    OUTPUT_VARIABLE single RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
      message(FATAL_ERROR "simdlr fit ${args}: status ${status}")
    endif()
    parameters_of("${single}" p)
    if(NOT p STREQUAL first)
      message(FATAL_ERROR "${name}: simdlr fit gives\n${p}\nsimdlr-mpi gave\n${first}")
    endif()
    foreach(key converged iterations objective_gap_bound)
      string(JSON a GET "${single}" ${key})
      string(JSON b GET "${out}" ${key})
      if(NOT a STREQUAL b)
        message(FATAL_ERROR "${name}: ${key} is ${b} with simdlr-mpi, ${a} with simdlr fit")
      endif()
    endforeach()
    message(STATUS "${name}: the same coefficients and report as simdlr fit")
  endif()
endforeach()

# Shard files in rank order, on chunk boundaries: the same answer.
run_fit(3 --x "X-part-{rank}.npy" --y "y-part-{rank}.npy" --solver lbfgs --json)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "shards: status ${rc}\n${err}")
endif()
parameters_of("${out}" p)
if(NOT p STREQUAL binary64)
  message(FATAL_ERROR "shards give\n${p}\nthe shared file\n${binary64}")
endif()
message(STATUS "shards: the same coefficients as the shared file")

# Errors: status 2 on every rank, one message, no model file, within the timeout.
function(expect_error what text)
  file(REMOVE ${WORK_DIR}/bad.json)
  run_fit(${ARGN} --model bad.json)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "${what}: expected status 2, got '${rc}'\n${out}\n${err}")
  endif()
  string(REGEX MATCHALL "simdlr-mpi: error:" messages "${err}")
  list(LENGTH messages count)
  if(NOT count EQUAL 1 OR NOT err MATCHES "${text}")
    message(FATAL_ERROR "${what}: expected one message with '${text}', got\n${err}")
  endif()
  if(EXISTS ${WORK_DIR}/bad.json)
    message(FATAL_ERROR "${what}: a model file was written")
  endif()
  message(STATUS "${what}: status 2, one message")
endfunction()
# Rank 3 has no shard file.
expect_error("a missing file on one rank" "X-part-3.npy"
             4 --x "X-part-{rank}.npy" --y "y-part-{rank}.npy")
expect_error("shards off the chunk boundaries" "chunk boundaries"
             2 --x "X-odd-{rank}.npy" --y "y-odd-{rank}.npy" --solver lbfgs)
expect_error("a bad option" "C must be a positive number"
             3 --x X.npy --y y.npy --C=-1)
