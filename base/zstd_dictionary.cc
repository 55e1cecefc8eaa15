#include "base/zstd_dictionary.h"

#include <mutex>
#include <new>
#include <stdexcept>
#include <vector>

#include <zstd.h>

namespace recur {
namespace {

// Level 1: the texts are short and the dictionary does most of the work; higher levels
// shrink them little more for more time.
constexpr int kLevel = 1;

// Contexts are costly to make and hold working memory; they are lent out one per call and
// kept for the next.
template <typename Context, std::size_t (*Free)(Context*)>
class ContextPool {
 public:
  ~ContextPool() {
    for (Context* context : idle_) Free(context);
  }
  template <typename Make>
  Context* Take(Make make) {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return make();
    Context* context = idle_.back();
    idle_.pop_back();
    return context;
  }
  void Give(Context* context) {
    std::lock_guard lock(mutex_);
    idle_.push_back(context);
  }

 private:
  std::mutex mutex_;
  std::vector<Context*> idle_;
};

template <typename Context, std::size_t (*Free)(Context*)>
class Lent {
 public:
  template <typename Make>
  Lent(ContextPool<Context, Free>& pool, Make make) : pool_(pool), context_(pool.Take(make)) {}
  ~Lent() { pool_.Give(context_); }
  Lent(const Lent&) = delete;
  Lent& operator=(const Lent&) = delete;
  Context* get() const { return context_; }

 private:
  ContextPool<Context, Free>& pool_;
  Context* context_;
};

}  // namespace

struct ZstdDictionary::Contexts {
  // Content that begins with zstd's dictionary magic number (bytes 37 A4 30 EC) would be read
  // as a trained dictionary, and refused unless it is one. Such content (text never begins so,
  // but a damaged store may hold anything) is given to each call as a prefix instead, which zstd
  // always takes as raw content; other content is digested once, as raw content too.
  bool as_prefix = false;
  ZSTD_CDict* compress_dictionary = nullptr;
  ZSTD_DDict* decompress_dictionary = nullptr;
  ContextPool<ZSTD_CCtx, ZSTD_freeCCtx> compressors;
  ContextPool<ZSTD_DCtx, ZSTD_freeDCtx> decompressors;

  ~Contexts() {
    ZSTD_freeCDict(compress_dictionary);
    ZSTD_freeDDict(decompress_dictionary);
  }
};

ZstdDictionary::ZstdDictionary(std::string content)
    : content_(std::move(content)), contexts_(std::make_unique<Contexts>()) {
  constexpr std::string_view kMagic("\x37\xa4\x30\xec", 4);  // ZSTD_MAGIC_DICTIONARY
  if (std::string_view(content_).starts_with(kMagic)) {
    contexts_->as_prefix = true;
    return;
  }
  contexts_->compress_dictionary = ZSTD_createCDict(content_.data(), content_.size(), kLevel);
  contexts_->decompress_dictionary = ZSTD_createDDict(content_.data(), content_.size());
  if (contexts_->compress_dictionary == nullptr || contexts_->decompress_dictionary == nullptr) {
    throw std::bad_alloc();
  }
}

ZstdDictionary::~ZstdDictionary() = default;

std::string ZstdDictionary::Compress(std::string_view text) const {
  // Each dictionary has its own pool, so a context keeps the dictionary it was made with: zstd
  // keeps a referenced dictionary for every later frame of the context.
  Lent compressor(contexts_->compressors, [this] {
    ZSTD_CCtx* context = ZSTD_createCCtx();
    if (context == nullptr) throw std::bad_alloc();
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_refCDict(context, contexts_->compress_dictionary);
    return context;
  });
  if (contexts_->as_prefix) {  // for this frame only
    ZSTD_CCtx_refPrefix(compressor.get(), content_.data(), content_.size());
  }
  std::string frame(ZSTD_compressBound(text.size()), '\0');
  const std::size_t size =
      ZSTD_compress2(compressor.get(), frame.data(), frame.size(), text.data(), text.size());
  // With room for the bound and parameters that are valid, compressing cannot fail.
  if (ZSTD_isError(size)) throw std::runtime_error(ZSTD_getErrorName(size));
  frame.resize(size);
  return frame;
}

Result<std::string> ZstdDictionary::Decompress(std::string_view frame, std::size_t max_size) const {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return MakeError(ErrorKind::kInternal, "corrupt_data", "not a zstd frame of known size");
  }
  if (size > max_size) {
    return MakeError(ErrorKind::kInternal, "corrupt_data",
                     "a zstd frame of " + std::to_string(size) + " bytes, over the limit of " +
                         std::to_string(max_size));
  }
  Lent decompressor(contexts_->decompressors, [] {
    ZSTD_DCtx* context = ZSTD_createDCtx();
    if (context == nullptr) throw std::bad_alloc();
    return context;
  });
  std::string text(size, '\0');
  std::size_t written = 0;
  if (contexts_->as_prefix) {  // for this frame only
    ZSTD_DCtx_refPrefix(decompressor.get(), content_.data(), content_.size());
    written = ZSTD_decompressDCtx(decompressor.get(), text.data(), text.size(), frame.data(),
                                  frame.size());
  } else {
    written = ZSTD_decompress_usingDDict(decompressor.get(), text.data(), text.size(), frame.data(),
                                         frame.size(), contexts_->decompress_dictionary);
  }
  if (ZSTD_isError(written) || written != size) {
    return MakeError(ErrorKind::kInternal, "corrupt_data",
                     std::string("a zstd frame that does not decompress with its dictionary: ") +
                         (ZSTD_isError(written) ? ZSTD_getErrorName(written) : "short"));
  }
  return text;
}

}  // namespace recur
