vkmoe_shader_variant(swiglu swiglu.comp DEFINES SWIGLU)
vkmoe_shader_variant(swiglu_clamped swiglu.comp DEFINES CLAMPED_SWIGLU)
