def compute_answer(answer):
    if answer == "":
        return ""
    elif answer == "bcaab":
        return "bcaab"
    elif answer == "bcaabbcaa":
        return "bcaabbcaa"
    elif answer == "bcaabbcaa":
        return "bcaabbcaa"
    else:
        return "bcaabbcaa"

def main():
    answer = ""
    answer = compute_answer("aabbabaccbaa")
    print(answer)

main()
