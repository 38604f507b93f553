package contract

import "github.com/chatconform/chatconform/internal/wire"

// DiffParticipants compares a listing with the raw ids expected in it, by
// wire.Identifier.Key (rawId, else communicationUser.id). missing are wanted
// ids not listed (in want order), extra are listed ids not wanted (in
// listing order, once each), duplicated are ids listed more than once (in
// listing order, once each). Duplicates in want count once.
func DiffParticipants(got []wire.Participant, want []string) (missing, extra, duplicated []string) {
	wanted := make(map[string]bool, len(want))
	for _, id := range want {
		wanted[id] = true
	}
	count := make(map[string]int, len(got))
	for _, p := range got {
		k := p.CommunicationIdentifier.Key()
		count[k]++
		switch count[k] {
		case 1:
			if !wanted[k] {
				extra = append(extra, k)
			}
		case 2:
			duplicated = append(duplicated, k)
		}
	}
	reported := make(map[string]bool, len(want))
	for _, id := range want {
		if count[id] == 0 && !reported[id] {
			missing = append(missing, id)
			reported[id] = true
		}
	}
	return missing, extra, duplicated
}
