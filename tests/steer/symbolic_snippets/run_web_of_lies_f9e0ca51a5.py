def check_truth_and_false(answer):
    if answer == "No":
        print(f"No")
    elif answer == "Yes":
        print(f"Yes")
    else:
        print(f"No")

check_truth_and_false()
