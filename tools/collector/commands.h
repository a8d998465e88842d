/* The commands of panicsage-collector (the front end execs it for them). */
#ifndef PS_TOOLS_COLLECTOR_COMMANDS_H
#define PS_TOOLS_COLLECTOR_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_summarize(int argc, char **argv);
int cmd_label(int argc, char **argv);

#endif
