# The sampler's candidates: per-chunk statistics and the floor, then the list at the floor.
vkmoe_shader_variant(logit_candidates_stats logit_candidates.comp DEFINES STATS)
vkmoe_shader_variant(logit_candidates_list logit_candidates.comp DEFINES LIST)
