# One object library per ISA: the same kernel body (src/kernels/simd_body.hpp and simd/)
# compiled with that ISA's flags. Only these objects contain AVX2/AVX-512 instructions; the rest of the library is
# built for baseline x86-64 and the dispatcher only calls into them after checking the CPU.
#
# The per-ISA objects are always optimised (-O2): xsimd 8.1.0's AVX-512 code does not compile at
# -O0 with GCC 12, and unoptimised objects could export weak AVX-512 copies of shared functions.
function(simdlr_add_isa_object isa flags)
  set(target simdlr_isa_${isa})
  add_library(${target} OBJECT src/kernels/isa_${isa}.cpp)
  target_compile_options(${target} PRIVATE ${flags} -O2 -ffp-contract=off)
  if(SIMDLR_SANITIZE)
    # AddressSanitizer's use-after-scope poisoning of the kernels' many inlined SIMD temporaries
    # is what makes GCC 12 slow here: the AVX-512 object took 7.9 min with ASan alone, 2.5 with
    # UBSan alone, and takes 3.5 with both once this is off (one core; under the CI's parallel
    # build it took 24 min, most of the sanitize job). ASan still checks bounds and use after
    # free; the kernels hand out no pointers to their locals, so no use after scope is lost.
    target_compile_options(${target} PRIVATE -fno-sanitize-address-use-after-scope)
  endif()
  # The kernel body's headers compile only where this is defined (see simd_body.hpp).
  target_compile_definitions(${target} PRIVATE SIMDLR_PER_ISA_TRANSLATION_UNIT)
  target_link_libraries(${target} PRIVATE xsimd simdlr_warnings)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
