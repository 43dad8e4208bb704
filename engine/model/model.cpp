#include "engine/model/model.h"

#include "engine/kernels/matmul.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

// Every matrix the forward pass multiplies or gathers rows from (the embedding lookup decodes
// the matmul's formats) must have a decoder; say so at load time, naming the tensor, rather
// than at the first step.
void check_tensor_types(const ModelSpec& spec) {
  for (const auto& [name, t] : spec.tensors) {
    if (t.n_dims < 2 || name.ends_with(".bias")) continue;
    if (!kernels::matmul_supports(t.type)) {
      throw Error(ErrorCode::kUnsupported, spec.path + ": tensor '" + name + "' has type " +
                                               std::string(tensor_type_info(t.type).name) +
                                               ", which vkmoe's matmul kernels do not decode");
    }
  }
}

}  // namespace

std::unique_ptr<Model> Model::load(vk::Context& ctx, const std::string& path,
                                   const std::function<void(uint64_t, uint64_t)>& progress) {
  std::unique_ptr<Model> model(new Model(ctx, load_model_spec(path)));
  check_tensor_types(model->spec_);
  model->weights_ = std::make_unique<ModelWeights>(ctx, model->spec_, progress);
  return model;
}

}  // namespace vkmoe
