def compute_total_score(input_string):
    total_score = 0
    for i in range(len(input_string)):
        if input_string[i] == 'A' and input_string[i] == 'B' and input_string[i] == 'C':
            total_score += 1
    return total_score

def main():
    print(f"The total score of the string {input_string} is {compute_total_score(input_string)}")

main()
