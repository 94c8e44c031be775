def check_total_score(input_str):
    total_score = 0
    for char in input_str:
        if char == 'A' or char == 'B' or char == 'C':
            if char == 'A' or char == 'B' or char == 'C':
                total_score += 1
    return total_score

def main():
    total_score = check_total_score("AABBCCC")
    print(f"The total score is {total_score}.")

main()
