#include "commands/commands.h"

int main(int argc, char **argv) {
    return ksurf::commands::dispatch(argc, argv);
}
