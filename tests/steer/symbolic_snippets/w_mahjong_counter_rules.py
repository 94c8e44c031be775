from collections import Counter

hand = ["A", "B", "C", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M"]
rounds = [("add", "C", "remove", "A"), ("add", "D", "remove", "B")]
result = None
for _, add_card, _, remove_card in rounds:
    counts = Counter(hand)
    letters = sorted(set(hand))
    if counts[add_card] >= 2:
        result = 1  # Peng
    elif any(ord(add_card) - k in map(ord, letters) and ord(add_card) - k + 1 in map(ord, letters) for k in (1, 2)):
        result = 2  # Chi
    else:
        result = 0
    hand.append(add_card)
    hand.remove(remove_card)
print(f"<<<{result}>>>")
