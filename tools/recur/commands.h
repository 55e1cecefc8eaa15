// The recur subcommands. Each takes the arguments after its name and returns the process exit
// status: 0 success, 1 failure (the reason printed on stderr), 2 bad usage.
#pragma once

#include <span>
#include <string>

namespace recur {

int RunServe(std::span<const std::string> args);
int RunPlansCheck(std::span<const std::string> args);
int RunSimulate(std::span<const std::string> args);

}  // namespace recur
