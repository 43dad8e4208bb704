# One variant per weight format, decoding table rows with the matmul's decoders.
vkmoe_weight_format_variants(embedding embedding.comp)
