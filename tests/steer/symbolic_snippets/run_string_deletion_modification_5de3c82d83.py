def compute_answer(answer):
    if answer == "acb":
        return "acb"
    elif answer == "bca":
        return "bca"
    elif answer == "bca":
        return "bca"
    elif answer == "cbca":
        return "cbca"
    elif answer == "cbcaa":
        return "cbcaa"
    else:
        return "abcd"

def main():
    answer = input("Enter the answer: ")
    answer = answer.strip()
    print(f"The final answer is: {compute_answer(answer)}")

main()
