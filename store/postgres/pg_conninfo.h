// PostgreSQL connection strings as libpq reads them: a postgresql:// or postgres:// URI, or
// "key=value" words ("host=db1 dbname=recur"). Told apart from a file path, checked, and named
// for people without the password they may hold: a password, from the string, PGPASSWORD or
// ~/.pgpass, is libpq's to use and appears in no message or log line made here. Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace recur {

// Whether `text` is meant as a PostgreSQL connection string: it starts with postgresql:// or
// postgres://, or with a "keyword=" word (a path holding "=" reads as one: write "./a=b.db").
bool IsPostgresConninfo(std::string_view text);

// A connection string libpq cannot read is a kInvalidArgument "database_invalid" error; its
// message quotes libpq's reason unless the string holds a password, which the reason might
// quote.
Status CheckConninfo(const std::string& conninfo);

// The database `conninfo` names, without its password: postgresql://user@host:port/dbname with
// what the string gives (a socket folder as ?host=/path). Meant for logs and messages.
std::string DescribeConninfo(const std::string& conninfo);

}  // namespace recur
