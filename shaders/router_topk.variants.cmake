# The router's top-k, and the same for one token that also writes its dispatch plan.
vkmoe_shader_variant(router_topk router_topk.comp)
vkmoe_shader_variant(router_topk_plan router_topk.comp DEFINES PLAN_DISPATCH)
# The one-token router from its matmul on: one variant per float format routers are stored in.
foreach(format F32 F16 BF16)
  string(TOLOWER ${format} lower)
  vkmoe_shader_variant(router_topk_logits_${lower} router_topk.comp DEFINES PLAN_DISPATCH ROUTER_LOGITS WEIGHT_${format})
endforeach()
