/* The commands of panicsage-train (the front end execs it for them). */
#ifndef PS_TOOLS_TRAIN_COMMANDS_H
#define PS_TOOLS_TRAIN_COMMANDS_H

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_logform(int argc, char **argv);

#endif
