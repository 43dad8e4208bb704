// Workgroup-wide sum and max: subgroup reduction, then one value per subgroup through shared
// memory. Every invocation of the workgroup must call these (they contain barriers).
shared float reduce_scratch[64];

float workgroup_sum(float v) {
  v = subgroupAdd(v);
  if (gl_NumSubgroups == 1) return v;
  barrier();
  if (subgroupElect()) reduce_scratch[gl_SubgroupID] = v;
  barrier();
  float total = 0.0;
  for (uint i = 0; i < gl_NumSubgroups; ++i) total += reduce_scratch[i];
  return total;
}

float workgroup_max(float v) {
  v = subgroupMax(v);
  if (gl_NumSubgroups == 1) return v;
  barrier();
  if (subgroupElect()) reduce_scratch[gl_SubgroupID] = v;
  barrier();
  float m = reduce_scratch[0];
  for (uint i = 1; i < gl_NumSubgroups; ++i) m = max(m, reduce_scratch[i]);
  return m;
}
