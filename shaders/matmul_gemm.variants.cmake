# One dense and one expert ("matmul by id") variant per weight format.
vkmoe_weight_format_variants(matmul_gemm matmul_gemm.comp)
vkmoe_weight_format_variants(matmul_gemm_id matmul_gemm.comp DEFINES EXPERT)
