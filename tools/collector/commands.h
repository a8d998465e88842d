/* The commands of panicsage-collector (the front end execs it for them). */
#ifndef PS_TOOLS_COLLECTOR_COMMANDS_H
#define PS_TOOLS_COLLECTOR_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_summarize(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_buckets(int argc, char **argv);
int cmd_web(int argc, char **argv);

struct store_bucket;
/* A bucket as `panicsage buckets` prints it: a block of text, or one
 * JSON object (tools/collector/buckets.c). */
void bucket_print_text(const struct store_bucket *b);
void bucket_print_json(const struct store_bucket *b);

#endif
