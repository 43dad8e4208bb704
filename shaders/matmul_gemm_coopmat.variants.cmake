# Per weight format, dense and expert ("matmul by id"): the cooperative-matrix GEMM for devices
# with VK_NV_cooperative_matrix, and the same kernel with lanes in place of the fragment
# operations, which any device runs (the tests check the kernel's tiling with it).
vkmoe_weight_format_variants(matmul_gemm_coopmat matmul_gemm_coopmat.comp DEFINES COOPMAT_NV)
vkmoe_weight_format_variants(matmul_gemm_coopmat_id matmul_gemm_coopmat.comp DEFINES COOPMAT_NV EXPERT)
vkmoe_weight_format_variants(matmul_gemm_coopmat_lanes matmul_gemm_coopmat.comp)
vkmoe_weight_format_variants(matmul_gemm_coopmat_lanes_id matmul_gemm_coopmat.comp DEFINES EXPERT)
