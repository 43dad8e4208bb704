# One dense and one expert ("matmul by id") variant per weight format, in each layout: the
# GPU layout, and the CPU-driver layout (ROWS_PER_SUBGROUP, with 64-bit loads: needs shaderInt64).
# They carry the scatter epilogue, switched on by a specialization constant.
vkmoe_weight_format_variants(matmul_gemv matmul_gemv.comp DEFINES SCATTER_EPILOGUE)
vkmoe_weight_format_variants(matmul_gemv_id matmul_gemv.comp DEFINES EXPERT SCATTER_EPILOGUE)
vkmoe_weight_format_variants(matmul_gemv_rows matmul_gemv.comp DEFINES ROWS_PER_SUBGROUP WIDE_LOADS SCATTER_EPILOGUE)
vkmoe_weight_format_variants(matmul_gemv_rows_id matmul_gemv.comp DEFINES ROWS_PER_SUBGROUP WIDE_LOADS EXPERT SCATTER_EPILOGUE)
# The gated expert GEMV (GLU): gate and up with SwiGLU in one pass, in both layouts.
vkmoe_weight_format_variants(matmul_gemv_glu_id matmul_gemv.comp DEFINES EXPERT GLU)
vkmoe_weight_format_variants(matmul_gemv_rows_glu_id matmul_gemv.comp DEFINES ROWS_PER_SUBGROUP WIDE_LOADS EXPERT GLU)
