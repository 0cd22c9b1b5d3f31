/* The book assembler's tests: each directive on a tiny tree written here,
 * and an error with a file and line for each way a directive can fail. */
#define BOOK_NO_MAIN
#include "../code/book.c"

#include "testing.h"

Suite *suite_book(void);

/* A small workbook in the temporary folder: one C file with a listing, one
 * program's values and captured output, a preface and one chapter. */
static void write_tree(const char *chapter)
{
    temp_write_text("code/x.c", "int a;\n// @listing two\nint b;\n"
                                "    // @solution 1.1\nint c;\n"
                                "    // @end 1.1\n// @end two\nint d;\n");
    temp_write_text("figures/01_x/values.txt", "loss 2.30\nacc 9.8\n");
    temp_write_text("figures/01_x/out_show_0.txt", "a digit\n");
    temp_write_text("chapters/00_preface.md", "# The Book\n\nHello.\n");
    temp_write_text("chapters/01_x.md", chapter);
}

/* Assemble the tree into a string (caller frees); status in *status. */
static char *assemble(int *status, Error *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    char preface[4096], chapter[4096];
    snprintf(preface, sizeof preface, "%s",
             temp_path("chapters/00_preface.md"));
    snprintf(chapter, sizeof chapter, "%s", temp_path("chapters/01_x.md"));
    char *chapters[2] = {preface, chapter};
    *status = book_write(out, temp_dir(), 2, chapters, err);
    fclose(out);
    return text;
}

static void expect_book_error(const char *chapter, const char *expected)
{
    write_tree(chapter);
    Error err = {0};
    int status;
    free(assemble(&status, &err));
    ck_assert_msg(status == -1, "the book should fail with '%s'", expected);
    ck_assert_msg(strstr(err.msg, expected) != NULL,
                  "the error should mention '%s', got: %s", expected, err.msg);
    ck_assert_msg(strstr(err.msg, "01_x.md:3:") != NULL,
                  "the error should name the chapter and line 3, got: %s",
                  err.msg);
}

START_TEST(test_slug)
{
    char slug[64];
    output_slug(slug, sizeof slug, "--show 0");
    ck_assert_str_eq(slug, "show_0");
    output_slug(slug, sizeof slug, "--data data/x --out figures/01_idx");
    ck_assert_str_eq(slug, "data_data_x_out_figures_01_idx");
    output_slug(slug, sizeof slug, "");
    ck_assert_str_eq(slug, "default");
}
END_TEST

START_TEST(test_anchor)
{
    char anchor[64];
    heading_anchor(anchor, sizeof anchor, "1. Reading MNIST: the IDX files");
    ck_assert_str_eq(anchor, "1-reading-mnist-the-idx-files");
}
END_TEST

START_TEST(test_expands_everything)
{
    write_tree("# 1. X\n\nLoss {{01_x.loss}}, accuracy {{01_x.acc}}%.\n"
               "@listing x.c two\n@output 01_x --show 0\n"
               "```\n{{not.expanded}}\n@listing not expanded\n```\n");
    Error err;
    int status;
    char *book = assemble(&status, &err);
    ck_assert_msg(status == 0, "%s", err.msg);
    const char *expected =
        "# The Book\n\nHello.\n\n## Contents\n\n- [1. X](#1-x)\n\n"
        "# 1. X\n\nLoss 2.30, accuracy 9.8%.\n"
        "```c\nint b;\nint c;\n```\n"
        "```\n$ bin/01_x --show 0\na digit\n```\n"
        "```\n{{not.expanded}}\n@listing not expanded\n```\n";
    ck_assert_msg(strstr(book, expected) != NULL,
                  "the assembled book differs from what was expected:\n%s",
                  book);
    free(book);
}
END_TEST

START_TEST(test_missing_value)
{
    expect_book_error("# 1. X\n\nLoss {{01_x.lost}}.\n", "no value 'lost'");
}
END_TEST

START_TEST(test_missing_values_file)
{
    expect_book_error("# 1. X\n\n{{09_y.loss}}\n", "no values file");
}
END_TEST

START_TEST(test_unclosed_value)
{
    expect_book_error("# 1. X\n\nLoss {{01_x.loss.\n", "without a matching");
}
END_TEST

START_TEST(test_missing_listing_marker)
{
    expect_book_error("# 1. X\n\n@listing x.c three\n",
                      "no line '// @listing three'");
}
END_TEST

START_TEST(test_missing_listing_file)
{
    expect_book_error("# 1. X\n\n@listing y.c two\n", "cannot open");
}
END_TEST

START_TEST(test_bad_listing_directive)
{
    expect_book_error("# 1. X\n\n@listing x.c\n", "expected '@listing FILE");
}
END_TEST

START_TEST(test_missing_output)
{
    expect_book_error("# 1. X\n\n@output 01_x --show 1\n",
                      "no captured output");
}
END_TEST

START_TEST(test_commands)
{
    write_tree("# 1. X\n\n@output 01_x --show 0\n@output 01_x\n"
               "@output-fails 01_x --bad\n");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    Error err;
    ck_assert(chapter_write(out, "ROOT", temp_path("chapters/01_x.md"), 1,
                            &err) == 0);
    fclose(out);
    ck_assert_str_eq(text,
                     "ROOT/figures/01_x/out_show_0.txt\t01_x --show 0\tok\n"
                     "ROOT/figures/01_x/out_default.txt\t01_x\tok\n"
                     "ROOT/figures/01_x/out_bad.txt\t01_x --bad\tfails\n");
    free(text);
}
END_TEST

Suite *suite_book(void)
{
    Suite *suite = suite_create("book");
    TCase *expand = tcase_create("directives");
    tcase_add_test(expand, test_slug);
    tcase_add_test(expand, test_anchor);
    tcase_add_test(expand, test_expands_everything);
    tcase_add_test(expand, test_commands);
    suite_add_tcase(suite, expand);
    TCase *errors = tcase_create("directive errors");
    tcase_add_test(errors, test_missing_value);
    tcase_add_test(errors, test_missing_values_file);
    tcase_add_test(errors, test_unclosed_value);
    tcase_add_test(errors, test_missing_listing_marker);
    tcase_add_test(errors, test_missing_listing_file);
    tcase_add_test(errors, test_bad_listing_directive);
    tcase_add_test(errors, test_missing_output);
    suite_add_tcase(suite, errors);
    return suite;
}
