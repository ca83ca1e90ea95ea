// Shell completion scripts (bash, zsh, fish) made from the command line's own definition: commands, their
// options, the values an option accepts (CLI11's IsMember sets), files where a path is expected, and every
// rule, detector and check ID after `explain`.
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>

namespace ig {

int write_completion(const CLI::App& app, const std::string& shell, std::ostream& out, std::ostream& err);

}  // namespace ig
