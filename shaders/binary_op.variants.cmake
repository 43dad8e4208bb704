vkmoe_shader_variant(add_f32 binary_op.comp DEFINES OP_ADD)
vkmoe_shader_variant(mul_f32 binary_op.comp DEFINES OP_MUL)
