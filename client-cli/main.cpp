// auction-cli: see app.hpp and commands.hpp.
#include "app.hpp"

int main(int argc, char** argv) { return auction::cli::run(argc, argv); }
