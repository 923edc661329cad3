// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
#include "symgrad/text/source_text.hpp"

#include "symgrad/core/error.hpp"

#include <algorithm>
#include <utility>

namespace symgrad {

namespace {

bool continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}

} // namespace

std::size_t character_count(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return !continuation_byte(c); }));
}

std::string printable(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f) {
            out += "U+00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

std::size_t character_length(std::string_view s, std::size_t at) {
    std::size_t len = 1;
    while (at + len < s.size() && continuation_byte(s[at + len]))
        ++len;
    return len;
}

source_text::source_text(std::string_view text, text_origin origin)
    : text_(text), origin_(std::move(origin)) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n')
            line_starts_.push_back(i + 1);
}

source_text::source_text(std::string_view text, const source_text& written,
                         std::vector<std::size_t> written_offsets)
    : source_text(text, written.origin()) {
    written_ = &written;
    written_offsets_ = std::move(written_offsets);
    written_offsets_.resize(text.size() + 1, written.text().size());
}

source_location source_text::locate(std::size_t offset) const {
    if (written_)
        return written_->locate(written_offsets_[std::min(offset, text_.size())]);
    offset = std::min(offset, text_.size());
    const auto line_index = static_cast<std::size_t>(
        std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - line_starts_.begin() -
        1);
    const std::size_t start = line_starts_[line_index];
    std::size_t stop = text_.find('\n', start);
    if (stop == std::string_view::npos)
        stop = text_.size();
    std::size_t column = 1 + character_count(text_.substr(start, offset - start));
    std::string line_text(text_.substr(start, stop - start));
    if (line_index == 0) {
        column += origin_.first_column - 1;
        if (!origin_.first_line_text.empty())
            line_text = origin_.first_line_text;
    }
    if (!line_text.empty() && line_text.back() == '\r')
        line_text.pop_back();
    // A control character (a NUL) would cut the message short where it is printed.
    for (char& c : line_text)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            c = '?';
    return {origin_.first_line + line_index, column, std::move(line_text)};
}

void source_text::fail(std::size_t offset, const std::string& message, std::size_t length) const {
    if (written_) {
        offset = std::min(offset, text_.size());
        const std::size_t begin = written_offsets_[offset];
        const std::size_t end = written_offsets_[std::min(offset + length, text_.size())];
        written_->fail(begin, message,
                       end > begin ? character_count(written_->text().substr(begin, end - begin))
                                   : 1);
    }
    source_location at = locate(offset);
    throw parse_error(message, origin_.source, at.line, at.column, std::move(at.line_text),
                      std::max<std::size_t>(1, length));
}

text_origin source_text::origin_at(std::size_t offset) const {
    if (written_)
        return written_->origin_at(written_offsets_[std::min(offset, text_.size())]);
    const source_location at = locate(offset);
    text_origin o = origin_;
    o.first_line = at.line;
    o.first_column = at.column;
    o.first_line_text = at.line_text;
    return o;
}

} // namespace symgrad
