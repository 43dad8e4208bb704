// One small template per Jinja construct, each checked against jinja2 (oracle/render.py),
// so every feature of the interpreter has an independent expected value.
#include <gtest/gtest.h>

#include "tests/chat_template/oracle.h"

namespace vkmoe::test {
namespace {

using json = nlohmann::ordered_json;

struct Feature {
  const char* name;
  const char* source;
  const char* vars = "{}";
};

const Feature kFeatures[] = {
    // output, comments, whitespace control
    {"print_values", "{{ 1 }}|{{ 1.5 }}|{{ 'a' }}|{{ none }}|{{ true }}|{{ False }}|{{ [1, 'a', none] }}|{{ {'k': [1.0, true]} }}|{{ (1,) }}|{{ (1, 'b') }}"},
    {"print_floats", "{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1.5e-5 }} {{ 123456789.0 }} {{ 1/3 }} {{ -0.0 }} {{ 2.0 ** 70 }} {{ 1e100 }}"},
    {"print_undefined", "[{{ nothing }}][{{ d.missing }}]", R"({"d": {}})"},
    {"comment", "a{# hidden #}b{#- x -#} c\n{# line #}\nd"},
    {"trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter"},
    {"lstrip_blocks", "x\n    {% if true %}\n    indented\n    {% endif %}\ny"},
    {"lstrip_not_for_variables", "x\n    {{ 'v' }}\n"},
    {"lstrip_plus_disables", "x\n    {%+ if true %}kept{% endif %}"},
    {"minus_strips", "a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}  \n  c {{- ' d ' -}} e"},
    {"trailing_newline_dropped", "text\n"},
    {"crlf_newlines", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc"},
    {"raw_block", "{% raw %}{{ not evaluated }}{% endraw %}"},
    {"tag_at_start_lstrip", "   {% if true %}x{% endif %}"},
    {"comment_lstrip", "a\n   {# c #}\nb"},
    // literals and operators
    {"string_escapes", R"({{ 'a\nb\tc\\d\'e' }}{{ "q\"" }}{{ '\u00e9\x41' }}{{ 'x' 'y' }})"},
    {"arithmetic", "{{ 7 + 2 }} {{ 7 - 10 }} {{ 7 * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}"},
    {"precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }} {{ 1 ~ 2 + 3 }}"},
    {"concat", "{{ 'a' ~ 1 ~ none ~ true ~ [1] }}|{{ 'a' + 'b' }}|{{ [1] + [2, 3] }}|{{ 'ab' * 3 }}|{{ 2 * [0] }}"},
    {"comparisons", "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 != 2 }} {{ 3 >= 3 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }} {{ none == none }} {{ {'a': 1} == {'a': 1} }}"},
    {"membership", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} {{ 3 not in [1] }}"},
    {"logic", "{{ true and 'x' }}|{{ 0 or 'y' }}|{{ not 0 }}|{{ '' or [] or 'last' }}|{{ none and 1 }}|{{ not 1 == 2 }}"},
    {"ternary", "{{ 'y' if true else 'n' }}{{ 'y' if 0 else 'n' }}[{{ 'y' if false }}]{{ 1 if 0 else 2 if 0 else 3 }}"},
    {"is_not", "{{ x is not none }} {{ y is not defined }} {{ not x is none }}", R"({"x": 1})"},
    {"lists_dicts_tuples", "{% set t = (1, 2) %}{{ t }} {{ t[0] }} {{ [1, [2, 3]][1][0] }} {{ {'a': {'b': 'c'}}.a.b }} {{ {'x': 1}['x'] }} {{ [] }} {{ {} }} {{ () }}"},
    {"attribute_vs_item", "{{ d.items is callable }}|{{ d['items'] }}|{{ d.key }}|{{ m.content }}", R"({"d": {"items": 5, "key": "v"}, "m": {"content": "c"}})"},
    {"slicing", "{{ 'abcdef'[1:3] }} {{ 'abcdef'[::-1] }} {{ 'abcdef'[::2] }} {{ [1, 2, 3, 4][1:] }} {{ [1, 2, 3][:-1] }} {{ [1, 2, 3, 4, 5][-2:] }} {{ 'héllo'[1:3] }} {{ [1, 2, 3][5:] }} {{ 'abc'[-1] }}"},
    {"index_out_of_range", "[{{ [1][5] }}][{{ 'ab'[9] }}]"},
    // statements
    {"if_elif_else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %},{% endfor %}"},
    {"for_loop_vars", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ x }};{% endfor %}"},
    {"for_prev_next_cycle", "{% for x in [1, 2, 3] %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.cycle('a', 'b') }}]{% endfor %}"},
    {"for_else", "{% for x in [] %}x{% else %}empty{% endfor %}{% for x in [1] %}x{% else %}empty{% endfor %}"},
    {"for_filter", "{% for x in [1, 2, 3, 4, 5] if x is odd %}{{ x }}{{ loop.index }}{{ loop.last }} {% endfor %}"},
    {"for_dict_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}{% for k, v in d|items %}{{ v }}{% endfor %}", R"({"d": {"z": 1, "a": 2}})"},
    {"for_tuple_unpack", "{% for a, b in [[1, 2], (3, 4)] %}{{ a + b }},{% endfor %}{% for (a, b) in [[5, 6]] %}{{ a * b }}{% endfor %}"},
    {"for_break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"},
    {"nested_loops", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}"},
    {"loop_scoping", "{% set x = 0 %}{% for i in [1, 2, 3] %}{{ x }}{% set x = i %}{{ x }}|{% endfor %}{{ x }}"},
    {"if_does_not_scope", "{% if true %}{% set z = 3 %}{% endif %}{{ z }}"},
    {"set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c = 1, 2 %}{{ c }}"},
    {"set_block", "{% set x %}inner {{ 1 + 1 }}{% endset %}[{{ x }}]{% set y | upper %}shout{% endset %}{{ y }}"},
    {"namespace", "{% set ns = namespace(n=0, items=[]) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% set ns.items = ns.items + [i] %}{% endfor %}{{ ns.n }} {{ ns.items }}"},
    {"namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{{ ns.c }}"},
    {"macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} {{ greet(punct='.', name='C') }}"},
    {"macro_recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}"},
    {"macro_sees_globals", "{% set x = 5 %}{% macro m() %}{{ x }}{% endmacro %}{% set x = 6 %}{{ m() }}"},
    {"macro_varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}"},
    {"call_block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ 1 }}{% endcall %}"},
    {"call_block_args", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}[{{ v }}]{% endcall %}"},
    {"filter_block", "{% filter upper %}shout {{ 'this' }}{% endfilter %}"},
    {"with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]"},
    {"generation_block", "{% generation %}kept {{ 1 }}{% endgeneration %}"},
    // filters
    {"filters_text", "{{ '  x y  '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ 'Hello'|lower }}|{{ 'Hello'|upper }}|{{ 'hello wORLD-foo (bar'|title }}|{{ 'hELLO world'|capitalize }}|{{ 'aaa'|replace('a', 'b', 2) }}|{{ 42|string }}"},
    {"filters_length", "{{ 'héllo'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }} {{ missing|length }}"},
    {"filter_tojson", "{{ v|tojson }}|{{ v|tojson(indent=2) }}|{{ v|tojson(separators=(',', ':')) }}|{{ v|tojson(sort_keys=true) }}|{{ 'é'|tojson }}|{{ 'é'|tojson(ensure_ascii=true) }}|{{ 'a\x01\n\"'|tojson }}|{{ 1.0|tojson }}|{{ [[], {}]|tojson(indent=1) }}|{{ v|tojson(indent='\t') }}",
     R"({"v": {"b": [1, 2.5, null, true, "x"], "a": {"n": -1e-7}, "u": "🙂"}})"},
    {"filter_int_float", "{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ true|int }} {{ ' 12 '|int }} {{ '2.5'|float }} {{ 'x'|float }} {{ 3|float }} {{ '1e3'|float }}"},
    {"filter_join_list", "{{ [1, 2, 3]|join(', ') }} {{ 'abc'|list }} {{ {'a': 1, 'b': 2}|list }} {{ users|join(',', attribute='name') }}", R"({"users": [{"name": "a"}, {"name": "b"}]})"},
    {"filter_first_last", "{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} {{ 'abc'|last }} [{{ []|first }}]"},
    {"filter_default", "{{ missing|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} {{ 0|d('z', boolean=true) }} {{ 'v'|default('d') }}"},
    {"filter_map_select", "{{ ms|map(attribute='role')|list }} {{ ms|selectattr('role', 'equalto', 'user')|map(attribute='content')|join }} {{ ms|rejectattr('role', 'eq', 'user')|list|length }} {{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('even')|list }} {{ [0, 1, '', 'a']|select|list }} {{ ['a', 'B']|map('upper')|list }} {{ ms|selectattr('tool_calls')|list|length }} {{ ms|selectattr('role', 'in', ['system', 'tool'])|list|length }}",
     R"({"ms": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"}, {"role": "assistant", "content": "a", "tool_calls": [1]}, {"role": "user", "content": "u2"}]})"},
    {"filter_items_dictsort", "{{ d|items|list }} {{ d|dictsort }} {{ d|dictsort(by='value') }} {{ d|dictsort(reverse=true) }}", R"({"d": {"b": 2, "a": 3, "C": 1}})"},
    {"filter_sort_unique", "{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ us|sort(attribute='n')|map(attribute='n')|list }} {{ ['a', 'A', 'b', 'a']|unique|list }} {{ [1, 2, 1]|unique|list }}",
     R"({"us": [{"n": 2}, {"n": 1}]})"},
    {"filter_numbers", "{{ -3|abs }} {{ -2.5|abs }} {{ [1, 2, 3]|sum }} {{ [1.5, 2]|sum }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 7|round }} {{ 2.1|round(method='ceil') }} {{ 2.9|round(0, 'floor') }} {{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ ['b', 'A']|max }}"},
    {"filter_indent", "{{ 'a\nb\n\nc'|indent }}|{{ 'a\nb'|indent(2, true) }}|{{ 'a\n\nb'|indent(2, blank=true) }}|{{ 'x\ny'|indent('> ') }}"},
    {"filter_misc", "{{ '<a href=\"x\">&\\'</a>'|escape }}|{{ '<b>'|e }}|{{ '<i>'|safe }}|{{ 'one two  three'|wordcount }}|{{ 'ab'|center(7) }}|{{ 'ab'|center(6) }}|{{ [1, 2, 3]|reverse|list }}|{{ 'abc'|reverse }}|{{ [1, 2, 3, 4, 5]|batch(2)|list }}|{{ [1, 2, 3]|batch(2, 0)|list }}"},
    {"filter_chain_and_unary", "{{ -x|abs }} {{ x|abs + 1 }} {{ 'ab'|upper ~ 'c' }} {{ ('a' ~ 'b')|upper }}", R"({"x": -4})"},
    // tests
    {"tests_types", "{{ 1 is number }}{{ true is number }}{{ 1.5 is number }}{{ 'a' is number }} {{ 1 is integer }}{{ true is integer }}{{ 1.0 is float }} {{ true is boolean }}{{ 1 is boolean }} {{ 'a' is string }}{{ 1 is string }} {{ {} is mapping }}{{ [] is mapping }} {{ [] is iterable }}{{ 'a' is iterable }}{{ 1 is iterable }}{{ {} is iterable }} {{ [] is sequence }}{{ 'a' is sequence }}{{ 1 is sequence }}{{ {} is sequence }} {{ none is none }}{{ 0 is none }}"},
    {"tests_values", "{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 0 is false }} {{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(4) }} {{ 'a' is equalto 'a' }}{{ 1 is eq 2 }}{{ 1 is ne 2 }} {{ 2 is in [1, 2] }}{{ 'x' is in 'abc' }} {{ 1 is lt 2 }}{{ 2 is gt 1 }}{{ 2 is ge 2 }}{{ 1 is le 0 }} {{ none is sameas none }}{{ 'abc' is lower }}{{ 'ABC' is upper }}"},
    {"tests_defined", "{{ x is defined }}{{ y is defined }}{{ y is undefined }}{{ x.a is defined }}{{ x.b is defined }}{{ x['a'] is defined }} {{ m is callable }}{{ range is callable }}{{ x is callable }}",
     R"({"x": {"a": 1}})"},
    // methods
    {"string_methods", "{{ ' a b '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  a'.lstrip() }}|{{ 'a  '.rstrip() }}|{{ '\n\na\n'.lstrip('\n') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'c')) }}|{{ 'aXbX'.replace('X', '-') }}|{{ 'Hello'.upper() }}{{ 'Hello'.lower() }}|{{ 'a b'.title() }}|{{ 'hello'.capitalize() }}|{{ 'abcb'.find('b') }}{{ 'abcb'.rfind('b') }}{{ 'abc'.find('z') }}|{{ 'abab'.count('ab') }}|{{ '-'.join(['a', 'b']) }}|{{ 'l1\nl2\r\nl3'.splitlines() }}|{{ '12'.isdigit() }}{{ 'a1'.isalpha() }}|{{ '{} and {x}'.format(1, x=2) }}"},
    {"think_split", "{% set c = m.split('</think>')[-1].lstrip('\n') %}{% set r = m.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}[{{ r }}][{{ c }}]", R"({"m": "<think>\nreason\n</think>\n\nanswer"})"},
    {"dict_methods", "{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 9) }}", R"({"d": {"a": 1, "b": [2]}})"},
    {"list_methods", "{{ [1, 2, 2].count(2) }} {{ ['a', 'b'].index('b') }}"},
    // globals
    {"globals", "{{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ range(5, 0, -2)|list }} {{ dict(a=1, b='x') }} {{ namespace(a=1).a }}"},
    {"strftime", "{{ strftime_now('%Y') }}"},
    // python types through variables
    {"json_vars", "{{ i + 1 }} {{ f * 2 }} {{ b }} {{ n }} {{ s }} {{ l }} {{ o }}",
     R"({"i": 41, "f": 0.25, "b": false, "n": null, "s": "str", "l": [1, "two", 3.0], "o": {"k": "v", "n": null}})"},
    {"messages_loop", "{% for m in messages %}{{ m.role }}:{{ m['content'] }}{% if not loop.last %}\n{% endif %}{% endfor %}{{ add_generation_prompt }}{{ tools }}{{ bos_token }}"},
    // runtime errors (both sides must fail)
    {"raise_exception", "{% if true %}{{ raise_exception('Bad role: ' ~ 'x') }}{% endif %}"},
    {"undefined_attribute_error", "{{ missing.attr }}"},
    {"type_error_concat", "{{ 'a' + 1 }}"},
    {"undefined_arith_error", "{{ missing + 1 }}"},
    {"unknown_filter", "{{ 1|no_such_filter }}"},
    {"unknown_filter_unused_branch", "{% if false %}{{ 1|no_such_filter }}{% endif %}ok"},
    {"list_append_unsafe", "{% set l = [] %}{{ l.append(1) }}"},
    {"range_too_big", "{{ range(200000)|length }}"},
    {"division_by_zero", "{{ 1 // 0 }}"},
    {"none_not_iterable", "{% for x in none %}{% endfor %}"},
};

std::vector<TemplateCase> build_cases() {
  std::vector<TemplateCase> out;
  ChatRequest req;
  req.messages = json::parse(R"([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}])");
  req.bos_token = "<s>";
  req.eos_token = "</s>";
  for (const Feature& f : kFeatures) {
    req.extra = json::parse(f.vars);
    out.push_back({f.name, f.source, req});
  }
  return out;
}

OracleSuite& suite() {
  static OracleSuite s(build_cases());
  return s;
}

class JinjaFeature : public ::testing::TestWithParam<size_t> {};

TEST_P(JinjaFeature, MatchesJinja2) {
  const TemplateCase& c = suite().cases().at(GetParam());
  const std::string diff = suite().difference(GetParam());
  EXPECT_TRUE(diff.empty()) << c.name << ": " << c.source << "\n" << diff;
}

INSTANTIATE_TEST_SUITE_P(Jinja, JinjaFeature, ::testing::Range<size_t>(0, std::size(kFeatures)),
                         [](const ::testing::TestParamInfo<size_t>& info) { return std::string(kFeatures[info.param].name); });

}  // namespace
}  // namespace vkmoe::test
