# One variant per weight format, decoding table rows with the matmul's decoders.
include(${CMAKE_CURRENT_SOURCE_DIR}/common/weight_formats.cmake)
foreach(format ${VKMOE_WEIGHT_FORMATS})
  string(TOLOWER ${format} lower)
  vkmoe_shader_variant(embedding_${lower} embedding.comp DEFINES WEIGHT_${format})
endforeach()
