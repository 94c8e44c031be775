def compute_final_answer(x):
    if x == 1:
        return 1
    elif x == 2:
        return 3
    elif x == 3:
        return 4
    elif x == 4:
        return 5
    elif x == 5:
        return 6
    elif x == 6:
        return 7
    else:
        return 8

def main():
    print(f"The final answer is: {compute_final_answer(1)}")

main()
