# The router's top-k, and the same for one token that also writes its dispatch plan.
vkmoe_shader_variant(router_topk router_topk.comp)
vkmoe_shader_variant(router_topk_plan router_topk.comp DEFINES PLAN_DISPATCH)
# The one-token router from its matmul on: one variant per float format routers are stored in,
# reading W and x from storage buffers (GPUs) or from texel views (CPU drivers).
foreach(format F32 F16 BF16)
  string(TOLOWER ${format} lower)
  vkmoe_shader_variant(router_topk_logits_${lower} router_topk.comp DEFINES PLAN_DISPATCH ROUTER_LOGITS WEIGHT_${format})
  vkmoe_shader_variant(router_topk_logits_texels_${lower} router_topk.comp
                       DEFINES PLAN_DISPATCH ROUTER_LOGITS TEXEL_READS WEIGHT_${format})
endforeach()
