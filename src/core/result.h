// Result<T>: a value or an Error, for code that decodes untrusted input.
// g++ 12 has no std::expected; this is the one small stand-in the project uses.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ig {

// A position in an input: 1-based line and column; 0 means unknown.
struct Mark {
  uint32_t line = 0;
  uint32_t col = 0;
};

// An input error: what went wrong and where, relative to one input source.
struct Error {
  std::string message;
  Mark mark;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace ig
