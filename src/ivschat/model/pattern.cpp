#include "ivschat/model/pattern.hpp"

namespace ivschat::detail {

namespace {

// Greedy with backtracking. The model's patterns have no two adjacent
// unbounded atoms that can fight over the same bytes except a trailing `.+.*`,
// which succeeds at once, so this stays linear in practice.
bool match_from(const pattern_branch& branch, std::size_t atom_index, std::string_view text,
                std::size_t pos) noexcept {
    if (atom_index == branch.size) return !branch.anchored_end || pos == text.size();
    const pattern_atom& atom = branch.atoms[atom_index];
    std::size_t count = 0;
    while (count < atom.max && pos + count < text.size() &&
           atom.set.contains(static_cast<unsigned char>(text[pos + count])))
        ++count;
    if (count < atom.min) return false;
    for (std::size_t taken = count + 1; taken-- > atom.min;) {
        if (match_from(branch, atom_index + 1, text, pos + taken)) return true;
    }
    return false;
}

}  // namespace

bool pattern_search(const compiled_pattern& pattern, std::string_view text) noexcept {
    for (std::size_t start = 0; start <= text.size(); ++start) {
        for (std::size_t b = 0; b < pattern.size; ++b) {
            const pattern_branch& branch = pattern.branches[b];
            if (branch.anchored_start && start != 0) continue;
            // Cheap reject on the first byte before recursing.
            if (branch.size != 0 && branch.atoms[0].min != 0 &&
                (start == text.size() || !branch.atoms[0].set.contains(static_cast<unsigned char>(text[start]))))
                continue;
            if (match_from(branch, 0, text, start)) return true;
        }
    }
    return false;
}

}  // namespace ivschat::detail
