def compute_answer(hand):
    result = 0
    for card in hand:
        if card.value == 0:
            result = 1
        elif card.value == 1:
            result = 2
        elif card.value == 2:
            result = 3
        else:
            result = 4
    return result

def main():
    print(f"Round 1: Add a N card. Result: {compute_answer(10)}")

main()
