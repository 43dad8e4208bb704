#include "loader/tokenizer/sentencepiece_model.h"

#include "loader/base/error.h"
#include "loader/tokenizer/protobuf_reader.h"

namespace vkmoe {
namespace {

// Field numbers from SentencePiece's sentencepiece_model.proto.
namespace model_proto {
constexpr uint32_t kPieces = 1, kTrainerSpec = 2, kNormalizerSpec = 3;
}
namespace piece_proto {
constexpr uint32_t kPiece = 1, kScore = 2, kType = 3;
}
namespace trainer_proto {
constexpr uint32_t kModelType = 3, kByteFallback = 35, kUnkId = 40, kBosId = 41, kEosId = 42, kPadId = 43;
constexpr int64_t kWordModel = 3;
}
namespace normalizer_proto {
constexpr uint32_t kAddDummyPrefix = 3;
}

struct TrainerSpec {
  int64_t model_type = 1;  // UNIGRAM
  bool byte_fallback = false;
  int64_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
};

void read_piece(std::span<const uint8_t> bytes, const std::string& context, TokenizerVocab& vocab) {
  ProtoReader r(bytes, context);
  std::string text;
  float score = 0.0f;
  int64_t type = static_cast<int64_t>(TokenAttr::kNormal);
  while (r.next()) {
    switch (r.field()) {
      case piece_proto::kPiece: text = r.read_string(); break;
      case piece_proto::kScore: score = r.read_float(); break;
      case piece_proto::kType: type = r.read_int(); break;
      default: r.skip(); break;
    }
  }
  if (type < static_cast<int64_t>(TokenAttr::kNormal) || type > static_cast<int64_t>(TokenAttr::kByte)) {
    throw Error(ErrorCode::kInvalidFile, context + ": unknown piece type " + std::to_string(type));
  }
  vocab.tokens.push_back(std::move(text));
  vocab.scores.push_back(score);
  vocab.attrs.push_back(static_cast<TokenAttr>(type));
}

TrainerSpec read_trainer_spec(std::span<const uint8_t> bytes, const std::string& context) {
  ProtoReader r(bytes, context);
  TrainerSpec spec;
  while (r.next()) {
    switch (r.field()) {
      case trainer_proto::kModelType: spec.model_type = r.read_int(); break;
      case trainer_proto::kByteFallback: spec.byte_fallback = r.read_varint() != 0; break;
      case trainer_proto::kUnkId: spec.unk_id = r.read_int(); break;
      case trainer_proto::kBosId: spec.bos_id = r.read_int(); break;
      case trainer_proto::kEosId: spec.eos_id = r.read_int(); break;
      case trainer_proto::kPadId: spec.pad_id = r.read_int(); break;
      default: r.skip(); break;
    }
  }
  return spec;
}

bool read_add_dummy_prefix(std::span<const uint8_t> bytes, const std::string& context) {
  ProtoReader r(bytes, context);
  bool add = true;
  while (r.next()) {
    if (r.field() == normalizer_proto::kAddDummyPrefix) {
      add = r.read_varint() != 0;
    } else {
      r.skip();
    }
  }
  return add;
}

}  // namespace

TokenizerVocab read_sentencepiece_model(std::span<const uint8_t> bytes, const std::string& name) {
  TokenizerVocab vocab;
  vocab.kind = TokenizerKind::kSentencePiece;
  vocab.add_bos = true;  // what SentencePiece-based models expect unless tokenizer_config.json says otherwise
  TrainerSpec trainer;
  ProtoReader r(bytes, name);
  while (r.next()) {
    switch (r.field()) {
      case model_proto::kPieces:
        read_piece(r.read_bytes(), name + ": piece " + std::to_string(vocab.tokens.size()), vocab);
        break;
      case model_proto::kTrainerSpec: trainer = read_trainer_spec(r.read_bytes(), name + ": trainer_spec"); break;
      case model_proto::kNormalizerSpec:
        vocab.add_space_prefix = read_add_dummy_prefix(r.read_bytes(), name + ": normalizer_spec");
        break;
      default: r.skip(); break;
    }
  }
  if (vocab.tokens.empty()) throw Error(ErrorCode::kInvalidFile, name + ": no pieces");
  if (trainer.model_type == trainer_proto::kWordModel) {
    throw Error(ErrorCode::kUnsupported, name + ": word-level SentencePiece models are not supported");
  }
  const int64_t n = static_cast<int64_t>(vocab.tokens.size());
  const auto special_id = [&](int64_t id, const char* what) -> uint32_t {
    if (id < 0) return UINT32_MAX;
    if (id >= n) {
      throw Error(ErrorCode::kInvalidFile, name + ": trainer_spec " + what + " " + std::to_string(id) +
                                               " is out of range (" + std::to_string(n) + " pieces)");
    }
    return static_cast<uint32_t>(id);
  };
  vocab.unk = special_id(trainer.unk_id, "unk_id");
  vocab.bos = special_id(trainer.bos_id, "bos_id");
  vocab.eos = special_id(trainer.eos_id, "eos_id");
  vocab.pad = special_id(trainer.pad_id, "pad_id");
  vocab.byte_fallback = trainer.byte_fallback;
  return vocab;
}

}  // namespace vkmoe
