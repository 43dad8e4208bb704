# The router's top-k, and the same for one token that also writes its dispatch plan.
vkmoe_shader_variant(router_topk router_topk.comp)
vkmoe_shader_variant(router_topk_plan router_topk.comp DEFINES PLAN_DISPATCH)
