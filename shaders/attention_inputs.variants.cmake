# One variant per KV cache element type.
vkmoe_shader_variant(attention_inputs_f32 attention_inputs.comp)
vkmoe_shader_variant(attention_inputs_f16 attention_inputs.comp DEFINES KV_F16)
