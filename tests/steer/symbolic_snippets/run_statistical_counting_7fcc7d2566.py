def check_total_score(input_string):
    total_score = 0
    for char in input_string:
        if char == 'A' or char == 'B':
            total_score += 1
        elif char == 'A' or char == 'B':
            total_score += 2
    return total_score

def main():
    total_score = check_total_score("AABB")
    print(f"Correct: {total_score} correct")
    print(f"Wrong: {total_score} wrong")

main()
