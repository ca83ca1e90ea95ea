#include "cli/completion.h"

#include <algorithm>
#include <ostream>

#include "logs/analyzer.h"
#include "probe/checks.h"
#include "rules/rule.h"

namespace ig {

namespace {

// What completes after an option: one of a fixed set, a file name, or nothing (a number, free text).
struct OptionSpec {
  std::vector<std::string> names;  // --format, -f
  bool takes_value = false;
  std::vector<std::string> choices;
  bool file = false;
  std::string help;
};

struct CommandSpec {
  std::string name;
  std::string help;
  std::vector<OptionSpec> options;
  bool positional_files = false;  // paths, urls
  std::vector<std::string> positional_words;  // help: commands; explain: IDs
};

// "TEXT:{text,json}" -> {"text", "json"}: the set CLI::IsMember checks, as CLI11 prints it.
std::vector<std::string> choices_of(const std::string& type_name) {
  std::vector<std::string> out;
  size_t open = type_name.find(":{");
  size_t close = type_name.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string inner = type_name.substr(open + 2, close - open - 2);
  size_t at = 0;
  while (at <= inner.size()) {
    size_t comma = inner.find(',', at);
    if (comma == std::string::npos) comma = inner.size();
    if (comma > at) out.push_back(inner.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

bool numeric(const std::string& type_name) {
  return type_name.rfind("INT", 0) == 0 || type_name.rfind("UINT", 0) == 0 || type_name.rfind("FLOAT", 0) == 0 ||
         type_name.rfind("NUMBER", 0) == 0;
}

// The first sentence of a help text, without the characters the shells' completion syntaxes give a meaning.
std::string short_help(const std::string& help) {
  std::string out;
  for (char ch : help) {
    if (ch == '(' || ch == ';' || ch == '\n') break;
    if (ch == '\'' || ch == '"' || ch == '[' || ch == ']' || ch == ':' || ch == '\\' || ch == '`' || ch == '$') continue;
    out.push_back(ch);
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == '.')) out.pop_back();
  return out;
}

std::vector<std::string> rule_ids() {
  std::vector<std::string> ids;
  for (const Rule* r : builtin_rules()) ids.emplace_back(r->info.id);
  return ids;
}

std::vector<std::string> every_id() {
  std::vector<std::string> ids = rule_ids();
  for (const auto& d : logs::detector_catalog()) ids.emplace_back(d.id);
  for (const auto& c : probe::check_catalog()) ids.emplace_back(c.id);
  return ids;
}

std::vector<CommandSpec> commands_of(const CLI::App& app) {
  std::vector<CommandSpec> out;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    CommandSpec c{sub->get_name(), short_help(sub->get_description()), {}, false, {}};
    c.options.push_back(OptionSpec{{"--help", "-h"}, false, {}, false, "Print the help of this command"});
    for (const CLI::Option* o : sub->get_options([](const CLI::Option* o) { return o->get_name() != "--help"; })) {
      if (o->get_positional()) {
        if (c.name == "help") c.positional_words = names;
        else if (c.name == "explain") c.positional_words = every_id();
        else if (auto words = choices_of(o->get_type_name()); !words.empty()) c.positional_words = words;
        else c.positional_files = true;
        continue;
      }
      OptionSpec spec;
      for (const std::string& l : o->get_lnames()) spec.names.push_back("--" + l);
      for (const std::string& s : o->get_snames()) spec.names.push_back("-" + s);
      spec.takes_value = o->get_items_expected_max() != 0;
      spec.help = short_help(o->get_description());
      if (spec.takes_value) {
        const std::string type = o->get_type_name();
        spec.choices = choices_of(type);
        if (spec.names[0] == "--rule" || spec.names[0] == "--skip-rule") spec.choices = rule_ids();
        // Values that are not files: numbers, and free text (a glob, an address, a format string).
        static const std::vector<std::string> kFreeText = {"--namespace", "--exclude", "--listen", "--resolve",
                                                           "--log-format"};
        spec.file = spec.choices.empty() && !numeric(type) &&
                    std::find(kFreeText.begin(), kFreeText.end(), spec.names[0]) == kFreeText.end();
      }
      c.options.push_back(std::move(spec));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string joined(const std::vector<std::string>& words, const char* sep = " ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : sep) + w;
  return out;
}

void write_bash(std::ostream& out, const std::vector<CommandSpec>& commands) {
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c.name);
  out << "# bash completion for ingressguard (and kubectl-ingressguard), generated by `ingressguard completion bash`\n"
         "_ingressguard() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n"
         "  done\n"
         "  if [[ -z $cmd ]]; then\n"
         "    COMPREPLY=($(compgen -W '" << joined(names) << " --help --version' -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  case $cmd in\n";
  for (const auto& c : commands) {
    out << "    " << c.name << ")\n      case $prev in\n";
    std::vector<std::string> flags, files;
    for (const auto& o : c.options) {
      flags.insert(flags.end(), o.names.begin(), o.names.end());
      if (!o.choices.empty())
        out << "        " << joined(o.names, "|") << ") COMPREPLY=($(compgen -W '" << joined(o.choices)
            << "' -- \"$cur\")); return ;;\n";
      else if (o.file) files.insert(files.end(), o.names.begin(), o.names.end());
      else if (o.takes_value) out << "        " << joined(o.names, "|") << ") return ;;\n";
    }
    if (!files.empty()) out << "        " << joined(files, "|") << ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
    out << "      esac\n"
           "      if [[ $cur == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W '" << joined(flags) << "' -- \"$cur\"))\n";
    if (!c.positional_words.empty())
      out << "      else\n        COMPREPLY=($(compgen -W '" << joined(c.positional_words) << "' -- \"$cur\"))\n";
    else if (c.positional_files)
      out << "      else\n        COMPREPLY=($(compgen -f -- \"$cur\"))\n";
    out << "      fi\n      ;;\n";
  }
  out << "  esac\n"
         "}\n"
         "complete -o filenames -o bashdefault -F _ingressguard ingressguard kubectl-ingressguard\n";
}

void write_zsh(std::ostream& out, const std::vector<CommandSpec>& commands) {
  out << "#compdef ingressguard kubectl-ingressguard\n"
         "# zsh completion for ingressguard, generated by `ingressguard completion zsh`\n"
         "_ingressguard() {\n"
         "  local -a commands\n"
         "  commands=(\n";
  for (const auto& c : commands) out << "    '" << c.name << ":" << c.help << "'\n";
  out << "  )\n"
         "  if (( CURRENT == 2 )); then\n"
         "    _describe -t commands 'ingressguard command' commands\n"
         "    return\n"
         "  fi\n"
         "  local cmd=${words[2]}\n"
         "  shift words\n"
         "  (( CURRENT-- ))\n"
         "  case $cmd in\n";
  for (const auto& c : commands) {
    out << "    " << c.name << ")\n      _arguments -s";
    for (const auto& o : c.options) {
      std::string action;
      if (!o.choices.empty()) action = ":value:(" + joined(o.choices) + ")";
      else if (o.file) action = ":file:_files";
      else if (o.takes_value) action = ":value: ";
      std::string names = o.names.size() == 1 ? o.names[0] : "{" + joined(o.names, ",") + "}";
      std::string exclusive = o.names.size() == 1 ? "" : "'(" + joined(o.names) + ")'";
      out << " \\\n        " << exclusive << names << "'[" << o.help << "]" << action << "'";
    }
    if (!c.positional_words.empty()) out << " \\\n        '*:word:(" << joined(c.positional_words) << ")'";
    else if (c.positional_files) out << " \\\n        '*:path:_files'";
    out << "\n      ;;\n";
  }
  out << "  esac\n"
         "}\n"
         "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
         "  _ingressguard \"$@\"\n"
         "else\n"
         "  compdef _ingressguard ingressguard kubectl-ingressguard\n"
         "fi\n";
}

void write_fish(std::ostream& out, const std::vector<CommandSpec>& commands) {
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c.name);
  out << "# fish completion for ingressguard, generated by `ingressguard completion fish`\n";
  for (const char* program : {"ingressguard", "kubectl-ingressguard"}) {
    std::string p = program;
    out << "complete -c " << p << " -f\n";
    for (const auto& c : commands)
      out << "complete -c " << p << " -n '__fish_use_subcommand' -a " << c.name << " -d '" << c.help << "'\n";
    for (const auto& c : commands) {
      std::string when = "-n '__fish_seen_subcommand_from " + c.name + "'";
      for (const auto& o : c.options) {
        out << "complete -c " << p << " " << when;
        for (const std::string& n : o.names) out << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1));
        if (!o.choices.empty()) out << " -x -a '" << joined(o.choices) << "'";
        else if (o.file) out << " -r -F";
        else if (o.takes_value) out << " -x";
        out << " -d '" << o.help << "'\n";
      }
      if (!c.positional_words.empty()) out << "complete -c " << p << " " << when << " -a '" << joined(c.positional_words) << "'\n";
      else if (c.positional_files) out << "complete -c " << p << " " << when << " -F\n";
    }
  }
}

}  // namespace

int write_completion(const CLI::App& app, const std::string& shell, std::ostream& out, std::ostream& err) {
  std::vector<CommandSpec> commands = commands_of(app);
  if (shell == "bash") write_bash(out, commands);
  else if (shell == "zsh") write_zsh(out, commands);
  else if (shell == "fish") write_fish(out, commands);
  else {
    err << "ingressguard: no completion for '" << shell << "' (bash, zsh or fish)\n";
    return 2;
  }
  return 0;
}

}  // namespace ig
