def check_answer(input_list):
    if len(input_list) != 6:
        return "Error: The input list must have exactly 6 elements."
    return sum(1 for x in input_list if x == 1)

def main():
    print(f"Solution: {check_answer(input_list)}")

main()
