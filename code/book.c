/* book.c: assembles book.md from the chapters. Not a lesson; plumbing.
 *
 *   bin/book chapters/NN_topic.md... > book.md   the book
 *   bin/book --commands chapters/NN_topic.md...  the runs the book quotes, one a
 *          line: CAPTURE-FILE<TAB>PROGRAM ARGS<TAB>ok (or fails)
 *
 * The first file is the preface (it holds the book's title); a table of
 * contents of the other files' first headings follows it. Chapter prose may
 * use three directives, so that no code or number in the book is typed by
 * hand:
 *
 *   @listing FILE NAME   (a line of its own) the lines of code/FILE between
 *                        "// @listing NAME" and "// @end NAME"
 *   @output PROGRAM ARGS (a line of its own) what bin/PROGRAM ARGS printed,
 *                        captured by ./build.sh into
 *                        figures/PROGRAM/out_SLUG.txt
 *   @output-fails PROGRAM ARGS  the same for a run that must fail: what it
 *                        printed on stdout and stderr, and it must exit
 *                        non-zero (to show a real error message)
 *   {{PROGRAM.KEY}}      (anywhere in a line) the value KEY that the
 *                        chapter's run wrote to figures/PROGRAM/values.txt
 *
 * Inside a ``` fence nothing is expanded. A directive that cannot be
 * expanded is an error naming the chapter file and line, never a hole.
 */
#ifndef BOOK_C
#define BOOK_C

#include "common.h"

#include <ctype.h>

#define BOOK_LINE_MAX 4096

void output_slug(char *slug, size_t size, const char *args);
void heading_anchor(char *anchor, size_t size, const char *heading);
int listing_write(FILE *out, const char *root, const char *file,
                  const char *name, Error *err);
int capture_path(char *path, size_t size, const char *root, const char *program,
                 const char *args, Error *err);
int capture_write(FILE *out, const char *root, const char *program,
                  const char *args, Error *err);
int value_lookup(char *value, size_t size, const char *root,
                 const char *program, const char *key, Error *err);
int values_expand(FILE *out, const char *root, const char *line, Error *err);
int chapter_write(FILE *out, const char *root, const char *path,
                  int commands_only, Error *err);
int book_write(FILE *out, const char *root, int n_chapters, char **chapters,
               Error *err);

/* The file name part for a run's arguments: runs of anything but letters
 * and digits become one '_', with none at the ends ("--show 0" -> "show_0";
 * no arguments -> "default"). */
void output_slug(char *slug, size_t size, const char *args)
{
    size_t n = 0;
    int gap = 0;
    for (const char *c = args; *c != '\0' && n + 2 < size; c++) {
        if (isalnum((unsigned char)*c)) {
            if (gap && n > 0)
                slug[n++] = '_';
            slug[n++] = *c;
            gap = 0;
        } else {
            gap = 1;
        }
    }
    slug[n] = '\0';
    if (n == 0)
        snprintf(slug, size, "default");
}

/* The link target GitHub gives a heading: lower case, spaces to '-', most
 * punctuation dropped ("1. Reading MNIST" -> "1-reading-mnist"). */
void heading_anchor(char *anchor, size_t size, const char *heading)
{
    size_t n = 0;
    for (const char *c = heading; *c != '\0' && n + 1 < size; c++) {
        unsigned char ch = (unsigned char)*c;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch >= 0x80)
            anchor[n++] = (char)tolower(ch);
        else if (ch == ' ')
            anchor[n++] = '-';
    }
    anchor[n] = '\0';
}

/* Remove a trailing newline (and carriage return). */
static void chomp(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

/* The marker name of a line "  // @listing NAME" when it is one, else NULL.
 * `kind` is "listing" or "end". */
static const char *marker_name(const char *line, const char *kind)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (strncmp(line, "// @", 4) != 0)
        return NULL;
    line += 4;
    size_t n = strlen(kind);
    if (strncmp(line, kind, n) != 0 || line[n] != ' ')
        return NULL;
    return line + n + 1;
}

static int is_marker(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return strncmp(line, "// @", 4) == 0;
}

int listing_write(FILE *out, const char *root, const char *file,
                  const char *name, Error *err)
{
    char path[4096], line[BOOK_LINE_MAX];
    snprintf(path, sizeof path, "%s/code/%s", root, file);
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return error_set(err, "@listing %s %s: cannot open %s", file, name,
                         path);
    int inside = 0, found_end = 0, found_start = 0;
    fprintf(out, "```c\n");
    while (!found_end && fgets(line, sizeof line, in) != NULL) {
        chomp(line);
        const char *begin = marker_name(line, "listing");
        const char *end = marker_name(line, "end");
        if (!inside && begin && strcmp(begin, name) == 0)
            inside = found_start = 1;
        else if (inside && end && strcmp(end, name) == 0)
            found_end = 1;
        else if (inside && !is_marker(line))
            fprintf(out, "%s\n", line);
    }
    fclose(in);
    fprintf(out, "```\n");
    if (!found_start)
        return error_set(err, "@listing %s %s: no line '// @listing %s' in %s",
                         file, name, name, path);
    if (!found_end)
        return error_set(err, "@listing %s %s: no line '// @end %s' in %s",
                         file, name, name, path);
    return 0;
}

int capture_path(char *path, size_t size, const char *root, const char *program,
                 const char *args, Error *err)
{
    char slug[256];
    output_slug(slug, sizeof slug, args);
    if (*program == '\0')
        return error_set(err, "@output needs a program name");
    snprintf(path, size, "%s/figures/%s/out_%s.txt", root, program, slug);
    return 0;
}

/* Quote an @output run: what bin/PROGRAM ARGS printed when ./build.sh ran
 * it, from its capture file, as a fenced block. */
int capture_write(FILE *out, const char *root, const char *program,
                  const char *args, Error *err)
{
    char path[4096], line[BOOK_LINE_MAX];
    if (capture_path(path, sizeof path, root, program, args, err) != 0)
        return -1;
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return error_set(err,
                         "@output %s %s: no captured output %s (run "
                         "./build.sh)",
                         program, args, path);
    fprintf(out, "```\n$ bin/%s%s%s\n", program, *args ? " " : "", args);
    while (fgets(line, sizeof line, in) != NULL) {
        chomp(line);
        fprintf(out, "%s\n", line);
    }
    fclose(in);
    fprintf(out, "```\n");
    return 0;
}

int value_lookup(char *value, size_t size, const char *root,
                 const char *program, const char *key, Error *err)
{
    char path[4096], line[BOOK_LINE_MAX];
    snprintf(path, sizeof path, "%s/figures/%s/values.txt", root, program);
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return error_set(err, "{{%s.%s}}: no values file %s (run ./build.sh)",
                         program, key, path);
    size_t key_length = strlen(key);
    int found = 0;
    while (!found && fgets(line, sizeof line, in) != NULL) {
        chomp(line);
        if (strncmp(line, key, key_length) == 0 && line[key_length] == ' ') {
            snprintf(value, size, "%s", line + key_length + 1);
            found = 1;
        }
    }
    fclose(in);
    if (!found)
        return error_set(err, "{{%s.%s}}: no value '%s' in %s", program, key,
                         key, path);
    return 0;
}

/* Copy `line` to out, replacing each {{PROGRAM.KEY}} with its value. */
int values_expand(FILE *out, const char *root, const char *line, Error *err)
{
    const char *rest = line, *open;
    while ((open = strstr(rest, "{{")) != NULL) {
        const char *close = strstr(open, "}}");
        const char *dot = memchr(open, '.', close ? (size_t)(close - open) : 0);
        if (close == NULL || dot == NULL)
            return error_set(err, "'{{' without a matching "
                                  "'{{PROGRAM.KEY}}'");
        char program[256], key[256], value[BOOK_LINE_MAX];
        snprintf(program, sizeof program, "%.*s", (int)(dot - open - 2),
                 open + 2);
        snprintf(key, sizeof key, "%.*s", (int)(close - dot - 1), dot + 1);
        if (value_lookup(value, sizeof value, root, program, key, err) != 0)
            return -1;
        fprintf(out, "%.*s%s", (int)(open - rest), rest, value);
        rest = close + 2;
    }
    fprintf(out, "%s\n", rest);
    return 0;
}

/* Split "@output PROGRAM ARGS" (or "@output-fails ...") into program and
 * args (args may be ""). */
static void split_output(char *program, size_t size, const char **args,
                         const char *directive)
{
    const char *start = directive + strcspn(directive, " ");
    while (*start == ' ')
        start++;
    size_t n = strcspn(start, " ");
    snprintf(program, size, "%.*s", (int)n, start);
    *args = start + n;
    while (**args == ' ')
        (*args)++;
}

/* Write one chapter with its directives expanded, or with commands_only,
 * only the lines CAPTURE-FILE<TAB>PROGRAM ARGS for its @output runs. */
int chapter_write(FILE *out, const char *root, const char *path,
                  int commands_only, Error *err)
{
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    char line[BOOK_LINE_MAX];
    int line_number = 0, in_fence = 0, status = 0;
    while (status == 0 && fgets(line, sizeof line, in) != NULL) {
        line_number++;
        chomp(line);
        char program[256], file[256], name[256], extra;
        const char *args;
        if (strncmp(line, "```", 3) == 0)
            in_fence = !in_fence;
        if (in_fence || strncmp(line, "```", 3) == 0) {
            if (!commands_only)
                fprintf(out, "%s\n", line);
        } else if (strncmp(line, "@output ", 8) == 0 ||
                   strncmp(line, "@output-fails ", 14) == 0) {
            split_output(program, sizeof program, &args, line);
            if (commands_only) {
                char capture[4096];
                status = capture_path(capture, sizeof capture, root, program,
                                      args, err);
                if (status == 0)
                    fprintf(out, "%s\t%s%s%s\t%s\n", capture, program,
                            *args ? " " : "", args,
                            line[7] == '-' ? "fails" : "ok");
            } else {
                status = capture_write(out, root, program, args, err);
            }
        } else if (strncmp(line, "@listing", 8) == 0) {
            if (sscanf(line, "@listing %255s %255s %c", file, name, &extra) !=
                2)
                status = error_set(err, "expected '@listing FILE NAME'");
            else if (!commands_only)
                status = listing_write(out, root, file, name, err);
        } else if (!commands_only) {
            status = values_expand(out, root, line, err);
        }
    }
    fclose(in);
    if (status == 0 && in_fence)
        return error_set(err, "%s: a ``` fence is never closed", path);
    if (status != 0) {
        char message[sizeof err->msg];
        snprintf(message, sizeof message, "%s", err->msg);
        return error_set(err, "%s:%d: %s", path, line_number, message);
    }
    return 0;
}

/* The first "# " heading of a chapter file, for the table of contents. */
static int chapter_title(char *title, size_t size, const char *path, Error *err)
{
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    char line[BOOK_LINE_MAX];
    int found = 0;
    while (!found && fgets(line, sizeof line, in) != NULL) {
        if (strncmp(line, "# ", 2) == 0) {
            chomp(line);
            snprintf(title, size, "%s", line + 2);
            found = 1;
        }
    }
    fclose(in);
    return found ? 0 : error_set(err, "%s: no '# ' title line", path);
}

int book_write(FILE *out, const char *root, int n_chapters, char **chapters,
               Error *err)
{
    if (n_chapters < 1)
        return error_set(err, "no chapter files given");
    fprintf(out, "<!-- Assembled by ./build.sh from chapters/: edit "
                 "those, not this file. -->\n\n");
    if (chapter_write(out, root, chapters[0], 0, err) != 0)
        return -1;
    fprintf(out, "\n## Contents\n\n");
    for (int c = 1; c < n_chapters; c++) {
        char title[BOOK_LINE_MAX], anchor[BOOK_LINE_MAX];
        if (chapter_title(title, sizeof title, chapters[c], err) != 0)
            return -1;
        heading_anchor(anchor, sizeof anchor, title);
        fprintf(out, "- [%s](#%s)\n", title, anchor);
    }
    for (int c = 1; c < n_chapters; c++) {
        fprintf(out, "\n");
        if (chapter_write(out, root, chapters[c], 0, err) != 0)
            return -1;
    }
    return 0;
}

#ifndef BOOK_NO_MAIN
int main(int argc, char **argv)
{
    cli_init(argc, argv);
    Error err;
    if (argc > 1 && option_is(argv[1], "--help")) {
        printf("Usage: %s CHAPTER.md...            print the book\n"
               "       %s --commands CHAPTER.md... list the @output runs\n",
               program_name, program_name);
        return 0;
    }
    if (argc > 1 && option_is(argv[1], "--commands")) {
        for (int c = 2; c < argc; c++)
            if (chapter_write(stdout, ".", argv[c], 1, &err) != 0)
                fail_with(&err);
        return 0;
    }
    if (argc < 2)
        usage_error("expected chapter files");
    if (book_write(stdout, ".", argc - 1, argv + 1, &err) != 0)
        fail_with(&err);
    return 0;
}
#endif /* BOOK_NO_MAIN */
#endif /* BOOK_C */
