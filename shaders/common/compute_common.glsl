// Shared by every vkmoe compute shader: extensions, workgroup size from specialization
// constant 0, and a flat invocation index over a 2-D grid (one grid dimension is capped at
// 65535 groups on many devices, so large 1-D problems spread over x and y).
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_EXT_control_flow_attributes : require
#if defined(WIDE_LOADS)
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#endif

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;

uint flat_group_index() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
uint flat_invocation_index() { return flat_group_index() * gl_WorkGroupSize.x + gl_LocalInvocationID.x; }
