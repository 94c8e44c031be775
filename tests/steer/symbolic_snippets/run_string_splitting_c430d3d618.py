def check_final_numbers(input_list):
    result = 0
    for item in input_list:
        if item % 2 == 0:
            result += 1
        elif item % 2 == 1:
            result += 2
        else:
            result += 3
    return result

def check_final_numbers(input_list):
    return sum(1 for item in input_list if item % 2 == 0)

def main():
    print(f"Solution: {check_final_numbers(input_list)}")

main()
