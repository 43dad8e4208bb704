# One dense and one expert ("matmul by id") variant per weight format.
include(${CMAKE_CURRENT_SOURCE_DIR}/common/weight_formats.cmake)
foreach(format ${VKMOE_WEIGHT_FORMATS})
  string(TOLOWER ${format} lower)
  vkmoe_shader_variant(matmul_gemm_${lower} matmul_gemm.comp DEFINES WEIGHT_${format})
  vkmoe_shader_variant(matmul_gemm_id_${lower} matmul_gemm.comp DEFINES WEIGHT_${format} EXPERT)
endforeach()
