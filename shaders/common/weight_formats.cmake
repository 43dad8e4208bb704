# Weight formats that the matmul shaders decode (WEIGHT_<format> in weight_formats.glsl).
# Variant names use the lower-case format: matmul_gemv_q4_k, matmul_gemm_id_f16, ...
set(VKMOE_WEIGHT_FORMATS F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 IQ4_NL MXFP4 Q2_K Q3_K Q4_K Q5_K Q6_K)

# vkmoe_weight_format_variants(<prefix> <source> [DEFINES ...]): one variant <prefix>_<format>
# per weight format, built with WEIGHT_<format> and then the given defines.
function(vkmoe_weight_format_variants prefix source)
  cmake_parse_arguments(ARG "" "" "DEFINES" ${ARGN})
  foreach(format ${VKMOE_WEIGHT_FORMATS})
    string(TOLOWER ${format} lower)
    vkmoe_shader_variant(${prefix}_${lower} ${source} DEFINES WEIGHT_${format} ${ARG_DEFINES})
  endforeach()
endfunction()
