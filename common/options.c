#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int sm_parse_si(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0)
        return -1;
    switch (*end) {
    case 'k':
    case 'K':
        v *= 1e3;
        end++;
        break;
    case 'M':
        v *= 1e6;
        end++;
        break;
    case 'G':
        v *= 1e9;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'H' && end[1] == 'z')
        end += 2;
    if (*end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void sm_strlist_free(struct sm_strlist *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void sm_print_help(FILE *out, const char *cmd, const char *usage, const char *description,
                   const struct sm_opt *opts)
{
    fprintf(out, "usage: smclat %s %s\n", cmd, usage ? usage : "[OPTIONS]");
    if (description)
        fprintf(out, "\n%s\n", description);
    fprintf(out, "\noptions:\n");
    for (const struct sm_opt *o = opts; o->type != SM_OPT_END; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->long_name,
                     o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->long_name, o->arg_name ? " " : "",
                     o->arg_name ? o->arg_name : "");
        fprintf(out, "  %-30s %s\n", left, o->help ? o->help : "");
    }
    fprintf(out, "  %-30s %s\n", "-h, --help", "show this help");
}

static int set_value(const char *cmd, const struct sm_opt *o, const char *arg)
{
    char *end;
    switch (o->type) {
    case SM_OPT_FLAG:
        *(int *)o->value = 1;
        return 0;
    case SM_OPT_STRING:
        *(const char **)o->value = arg;
        return 0;
    case SM_OPT_INT: {
        errno = 0;
        long v = strtol(arg, &end, 0);
        if (end == arg || *end || errno) {
            fprintf(stderr, "smclat %s: --%s: expected an integer, found '%s'\n", cmd, o->long_name,
                    arg);
            return -1;
        }
        *(long *)o->value = v;
        return 0;
    }
    case SM_OPT_DOUBLE:
        if (sm_parse_si(arg, (double *)o->value) != 0) {
            fprintf(stderr,
                    "smclat %s: --%s: expected a number (suffix k, M or G allowed), found '%s'\n",
                    cmd, o->long_name, arg);
            return -1;
        }
        return 0;
    case SM_OPT_LIST: {
        struct sm_strlist *l = o->value;
        const char **n = realloc(l->items, (size_t)(l->n + 1) * sizeof *n);
        if (!n)
            return -1;
        l->items = n;
        l->items[l->n++] = arg;
        return 0;
    }
    case SM_OPT_END:
        break;
    }
    return -1;
}

int sm_parse_opts(const char *cmd, const char *usage, const char *description,
                  const struct sm_opt *opts, int argc, char **argv)
{
    int n = 0;
    while (opts[n].type != SM_OPT_END)
        n++;
    struct option *lo = calloc((size_t)n + 2, sizeof *lo);
    char *shorts = calloc((size_t)n * 2 + 4, 1);
    if (!lo || !shorts) {
        free(lo);
        free(shorts);
        fprintf(stderr, "smclat %s: out of memory\n", cmd);
        return SM_OPTS_ERROR;
    }
    char *sp = shorts;
    for (int i = 0; i < n; i++) {
        lo[i].name = opts[i].long_name;
        lo[i].has_arg = opts[i].type == SM_OPT_FLAG ? no_argument : required_argument;
        lo[i].val = 256 + i;
        if (opts[i].short_name) {
            *sp++ = opts[i].short_name;
            if (opts[i].type != SM_OPT_FLAG)
                *sp++ = ':';
        }
    }
    lo[n].name = "help";
    lo[n].val = 'h';
    *sp++ = 'h';
    int result = 0;
    optind = 1;
    opterr = 0;
    for (;;) {
        int li = -1;
        int c = getopt_long(argc, argv, shorts, lo, &li);
        if (c == -1)
            break;
        if (c == 'h') {
            sm_print_help(stdout, cmd, usage, description, opts);
            result = SM_OPTS_HELP;
            break;
        }
        if (c == '?' || c == ':') {
            if (optopt && optopt < 256)
                fprintf(stderr, "smclat %s: unknown option or missing value: -%c (see --help)\n",
                        cmd, optopt);
            else
                fprintf(stderr, "smclat %s: unknown option or missing value: %s (see --help)\n",
                        cmd, argv[optind - 1]);
            result = SM_OPTS_ERROR;
            break;
        }
        const struct sm_opt *o = NULL;
        if (c >= 256)
            o = &opts[c - 256];
        else
            for (int i = 0; i < n; i++)
                if (opts[i].short_name == c)
                    o = &opts[i];
        if (!o || set_value(cmd, o, optarg) != 0) {
            result = SM_OPTS_ERROR;
            break;
        }
    }
    if (result == 0)
        result = optind;
    free(lo);
    free(shorts);
    return result;
}

int sm_parse_opts_operands(const char *cmd, const char *usage, const char *description,
                           const struct sm_opt *opts, int argc, char **argv, int min, int max,
                           const char *what)
{
    int i = sm_parse_opts(cmd, usage, description, opts, argc, argv);
    if (i == SM_OPTS_HELP)
        return SM_OPTS_DONE;
    if (i < 0)
        return SM_OPTS_BAD;
    if (argc - i < min || argc - i > max) {
        fprintf(stderr, "smclat %s: expected %s%s (see --help)\n", cmd,
                min == max && min == 1 ? "one " : "", what);
        return SM_OPTS_BAD;
    }
    return i;
}

int sm_parse_opts_one(const char *cmd, const char *usage, const char *description,
                      const struct sm_opt *opts, int argc, char **argv, const char *what)
{
    return sm_parse_opts_operands(cmd, usage, description, opts, argc, argv, 1, 1, what);
}
