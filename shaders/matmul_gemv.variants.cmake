# One dense and one expert ("matmul by id") variant per weight format.
vkmoe_weight_format_variants(matmul_gemv matmul_gemv.comp)
vkmoe_weight_format_variants(matmul_gemv_id matmul_gemv.comp DEFINES EXPERT)
