// The recur subcommands. Each takes the arguments after its name and returns the process exit
// status: 0 success, 1 failure (the reason printed on stderr), 2 bad usage (the usage printed on
// stderr). Each answers -h or --help among its arguments with its usage on stdout and 0.
#pragma once

#include <span>
#include <string>

namespace recur {

int RunServe(std::span<const std::string> args);
int RunPlans(std::span<const std::string> args);  // plans check
int RunSimulate(std::span<const std::string> args);
int RunBackup(std::span<const std::string> args);  // backup DEST

}  // namespace recur
